"""What the browser tests do over and over: fill the form, wait on the server, read a trace."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, expect

from services.dashboard.hub import GRACE_SECONDS
from tests.peer import Job, Pause, Step

# A tab that closes is deleted by NiceGUI after its reconnect timeout (3 s); the hub then keeps
# the job's stream for its grace. Past both (and a margin), the backend must see it closed.
RELEASED_WITHIN = 3.0 + GRACE_SECONDS + 2.0

# Records, in the page, every value the bar, the stage rows and the ETA take, as they change
# (``window.auroraTrace``); it is kept across the navigation to the workspace (sessionStorage),
# so reading it never races the dialog's own navigation.
TRACE_SCRIPT = """
(() => {
  const trace = window.auroraTrace = {bar: [], stages: {}, eta: []};
  const last = (list) => list[list.length - 1];
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
    const text = eta && eta.offsetParent !== null ? eta.textContent : '';
    if (text && (last(trace.eta) || {}).text !== text) {
      trace.eta.push({text, at: performance.now() / 1000});
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('pagehide', () => {
    if (trace.bar.length) sessionStorage.setItem('aurora-trace', JSON.stringify(trace));
  });
})();
"""


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


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0,
               what: str = "the condition") -> None:
    """Poll a server-side ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(0.05)


def waiting(seconds: float = 40.0, *, step: float = 0.05) -> list[Step]:
    """Steps that keep a job's stream open and quiet, ready to play a pushed step within ``step``.

    A pause sends keep-alives only if the peer's ``keepalive`` is shorter than ``step``; without
    them, keep ``seconds`` under the dashboard's read timeout (45 s).
    """
    return [Pause(step)] * round(seconds / step)


def play_next(job: Job, *steps: Step) -> None:
    """Have the job's open stream play ``steps`` next; it must be ``waiting``."""
    job.steps.extendleft(reversed(steps))


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
