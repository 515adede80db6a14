"""A dashboard that reaches its user away from the dialog, in a real browser on a real embedded
backend: the tab's title tells a running job's progress, and a hidden tab's desktop
notification says when a job this browser started has ended."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess, quick_dashboard
from testkit.browser import VIEWPORT, expect_toast, start_job

# Headless Chromium never hides a tab (bringing another to the front or minimising its window
# leaves it "visible"), so the test hides it the one way left: the page's visibility, switched
# from the test. Every notification the page makes is made for real, and kept to be read.
HIDEABLE_TAB = """(() => {
  let hidden = false;
  window.auroraHide = () => {
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  Object.defineProperty(document, 'hidden', {get: () => hidden});
  Object.defineProperty(document, 'visibilityState', {get: () => hidden ? 'hidden' : 'visible'});
  window.auroraNotices = [];
  window.auroraAsked = 0;
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.auroraNotices.push(this); }
    static requestPermission() { window.auroraAsked += 1; return Real.requestPermission(); }
  };
})();"""
NOTICES = "() => window.auroraNotices.map((n) => ({title: n.title, body: n.body, tag: n.tag}))"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with quick_dashboard(tmp_path_factory.mktemp("reach") / "data") as app:
        yield app


def test_the_title_tells_the_progress_and_goes_back_when_the_dialog_closes(
        app: AppProcess, page: Page) -> None:
    job_id = start_job(page, app.base_url, "A tram through the old town", duration=60)
    try:
        expect(page).to_have_title(
            re.compile(r"^\d{1,3}% · Generating scene \d+ · Aurora Studio$"), timeout=30_000)
        page.wait_for_function("""() => document.title.startsWith(document.querySelector(
            '[data-testid=progress-percent]').textContent.trim() + ' · ')""")  # the dialog's %
        page.get_by_test_id("background-button").click()
        expect(page).to_have_title("Create · Aurora Studio")
    finally:
        httpx.post(f"{app.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)


@pytest.fixture
def allowed(browser: Any, app: AppProcess) -> Iterator[BrowserContext]:
    """A browser that has allowed the dashboard's notifications, its tabs hideable."""
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["notifications"], origin=app.base_url)
    context.add_init_script(HIDEABLE_TAB)
    yield context
    context.close()


def _start_in_background(page: Page, app: AppProcess, prompt: str) -> str:
    """Generate a short video, send it to the background, and hide the tab."""
    job_id = start_job(page, app.base_url, prompt, duration=15)
    page.get_by_test_id("background-button").click()
    page.evaluate("window.auroraHide()")
    return job_id


def test_a_hidden_tab_gets_a_notification_when_its_video_is_ready_and_a_click_opens_it(
        app: AppProcess, allowed: BrowserContext) -> None:
    page = allowed.new_page()
    job_id = _start_in_background(page, app, "A heron lifting off a lake")
    page.wait_for_function("() => window.auroraNotices.length > 0", timeout=60_000)
    assert page.evaluate(NOTICES) == [
        {"title": "Video ready", "body": "A heron lifting off a lake", "tag": job_id}]
    page.evaluate("() => window.auroraNotices[0].onclick()")
    page.wait_for_url(f"**/workspace/{job_id}")
    expect(page.get_by_test_id("final-video")).to_be_visible()


def test_no_notification_once_they_are_turned_off(
        app: AppProcess, allowed: BrowserContext) -> None:
    page = allowed.new_page()
    page.goto(app.base_url + "/")
    toggle = page.get_by_test_id("notify-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    page.reload()  # remembered for this browser
    expect(page.get_by_test_id("notify-toggle")).to_have_attribute("aria-pressed", "false")
    _start_in_background(page, app, "Snow on a quiet street")
    expect_toast(page, "Video ready")  # it ended, and the page heard of it
    assert page.evaluate(NOTICES) == []


def test_permission_is_asked_on_the_first_generate_and_never_before(
        app: AppProcess, browser: Any) -> None:
    context = browser.new_context(viewport=VIEWPORT)  # nothing allowed or refused yet
    context.add_init_script(HIDEABLE_TAB)
    try:
        page = context.new_page()
        page.goto(app.base_url + "/")
        page.goto(app.base_url + "/jobs")
        assert page.evaluate("() => window.auroraAsked") == 0
        job_id = start_job(page, app.base_url, "A lantern on a jetty", duration=15)
        assert page.evaluate("() => window.auroraAsked") == 1
        httpx.post(f"{app.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)
    finally:
        context.close()
