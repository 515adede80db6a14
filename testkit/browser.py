"""Debian's Chromium as the tests and benches drive it, and what they do in its pages over and
over: fill the form, start a job, read what a page showed, wait on the server."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from services.dashboard.hub import GRACE_SECONDS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 860}

# A tab that closes is deleted by NiceGUI after its reconnect timeout (3 s); the hub then keeps
# the job's stream for its grace. Past both, the backend must see it closed.
TAB_RELEASE = 3.0 + GRACE_SECONDS
RELEASED_WITHIN = TAB_RELEASE + 2.0  # with a margin

# Records, in the page, every value the bar, the stage rows and the ETA take, and every text the
# watched elements show while visible, as they change (``window.auroraTrace``): a notice that is
# up for half a second is still on record. The bar, stages and ETA are kept across the navigation
# to the workspace (sessionStorage), so reading them never races the dialog's own navigation.
TRACE_SCRIPT = """
(() => {
  if (window.auroraTrace) return;
  const ids = ['connection-status', 'current-stage', 'progress-percent', 'error-message'];
  const texts = Object.fromEntries(ids.map((id) => [id, []]));
  const trace = window.auroraTrace = {bar: [], stages: {}, eta: [], texts};
  const last = (list) => list[list.length - 1];
  const shown = (element) => element && element.offsetParent !== null;
  const record = () => {
    const bar = document.querySelector('[data-testid=progress-bar]');
    if (bar && bar.hasAttribute('aria-valuenow')) {
      const value = Number(bar.getAttribute('aria-valuenow'));
      if (last(trace.bar) !== value) trace.bar.push(value);
    }
    document.querySelectorAll('[data-testid=stage-item]').forEach((item, index) => {
      const states = (trace.stages[index] ??= []);
      if (last(states) !== item.dataset.state) states.push(item.dataset.state);
    });
    const eta = document.querySelector('[data-testid=eta]');
    const text = shown(eta) ? eta.textContent : '';
    if (text && (last(trace.eta) || {}).text !== text) {
      trace.eta.push({text, at: performance.now() / 1000});
    }
    for (const id of ids) {
      const element = document.querySelector(`[data-testid="${id}"]`);
      const seen = shown(element) ? element.textContent.trim() : '';
      if (seen && last(texts[id]) !== seen) texts[id].push(seen);
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('pagehide', () => {
    if (trace.bar.length) sessionStorage.setItem('aurora-trace', JSON.stringify(trace));
  });
})();
"""

# True once the workspace's final video plays.
PLAYING = """() => {
    const video = document.querySelector('[data-testid=final-video]');
    return video !== null && video.readyState >= 2 && video.currentTime > 0;
}"""


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def fill_form(page: Page, prompt: str, *, duration: int | None = None,
              aspect: str | None = None, style: str | None = None) -> None:
    """Type into the Create form (on ``/``)."""
    page.get_by_test_id("prompt-input").fill(prompt)
    if duration is not None:
        choose(page, "duration-select", f"{duration} seconds")
    if aspect is not None:
        choose(page, "aspect-select", aspect)
    if style is not None:
        page.get_by_test_id("style-input").fill(style)


def choose(page: Page, test_id: str, option: str) -> None:
    """Pick ``option`` (its text, or the start of it) in a select."""
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option).click()


def start_job(page: Page, base_url: str, prompt: str, **form: Any) -> str:
    """Open Create, fill it, click *Generate Video*; the new job's id (from the URL)."""
    page.goto(base_url + "/")
    fill_form(page, prompt, **form)
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    page.wait_for_url("**/?job=*")
    return page.url.rsplit("job=", 1)[1]


def read_trace(page: Page) -> dict[str, Any]:
    """What ``TRACE_SCRIPT`` recorded: on this page, or on the page before (the dialog's)."""
    saved = page.evaluate("""() => window.auroraTrace && window.auroraTrace.bar.length
        ? JSON.stringify(window.auroraTrace) : sessionStorage.getItem('aurora-trace')""")
    assert saved, "no trace was recorded"
    trace: dict[str, Any] = json.loads(saved)
    return trace


def seen_texts(page: Page, test_id: str) -> list[str]:
    """Every text ``test_id`` showed since the page loaded (``TRACE_SCRIPT``)."""
    texts: list[str] = page.evaluate("(id) => window.auroraTrace.texts[id]", test_id)
    return texts


def expect_toast(page: Page, text: str) -> None:
    """A notification containing ``text`` is up (other toasts may be up beside it)."""
    expect(page.locator(".q-notification").filter(has_text=text).last).to_be_visible()


def open_tab(context: BrowserContext, url: str) -> Page:
    """A new tab in ``context`` on ``url``, loaded."""
    tab = context.new_page()
    tab.goto(url)
    return tab


def job_card(page: Page, job_id: str) -> Locator:
    """The card of ``job_id`` on ``/jobs``."""
    return page.locator(f'[data-testid=job-card][data-job-id="{job_id}"]')


def job_toast(page: Page, job_id: str) -> Locator:
    """The toast a tab got when ``job_id`` ended."""
    return page.locator(f'[data-testid=job-toast][data-job-id="{job_id}"]')


def relayed_url(path: str) -> str:
    """The backend URL a ``/media`` path stands for (and that it is one)."""
    parts = urlsplit(path)
    assert (parts.scheme, parts.netloc, parts.path) == ("", "", "/media"), path
    return parse_qs(parts.query)["url"][0]
