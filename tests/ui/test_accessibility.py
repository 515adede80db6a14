"""Accessibility, as axe-core judges it: no serious or critical violation on any page or state
of the progress dialog, in a real browser on a real embedded backend."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.contract import API_PREFIX
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.axe import serious_violations
from testkit.browser import choose, start_job
from testkit.stored_jobs import wait_for_start_up_rates


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """A dashboard rendering full-size pictures on one worker: a minute of video then takes
    long enough (about ten seconds) that the live dialog is read while its job still runs
    (draft pictures render a minute in about two). It has measured its render rates first,
    so its one worker is the jobs' alone while the dialog is read."""
    app = AppProcess(tmp_path_factory.mktemp("a11y") / "data",
                     env={**QUICK_RENDERS, "AURORA_RENDER_SIZE": "full"}).start()
    wait_for_start_up_rates(app.data_dir, "full")
    yield app
    app.stop()


# Every text the announcer takes, in order (window.auroraSaid).
RECORD_ANNOUNCEMENTS = """new MutationObserver(() => {
  const said = (window.auroraSaid ??= []);
  const text = document.querySelector('[data-testid=progress-announcer]')?.textContent.trim();
  if (text && said[said.length - 1] !== text) said.push(text);
}).observe(document, {subtree: true, childList: true, characterData: true});"""


def test_the_dialog_live_failed_and_completed_has_no_serious_violation(
        app: AppProcess, page: Page) -> None:
    """And it says its progress to a screen reader: the bar's value text, each stage once."""
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    job_id = start_job(page, app.base_url, "A kite over the dunes at sunset", duration=60)
    dialog = page.get_by_test_id("progress-dialog")
    expect(dialog.locator("[data-testid=stage-item][data-state=completed]").nth(2)) \
        .to_be_visible(timeout=60_000)
    expect(dialog.get_by_test_id("progress-bar")).to_have_attribute(
        "aria-valuetext", re.compile(r"^\d{1,3} percent, Generating scene \d+$"))
    assert serious_violations(page) == [], "live"
    httpx.post(f"{app.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)
    expect(dialog.get_by_test_id("error-message")).to_be_visible()
    assert serious_violations(page) == [], "failed"
    # The completed dialog opens the workspace by itself 1.5 s later: here that navigation
    # gets a 204, which a browser answers by staying on the page, so the page stays as the
    # user saw it while axe reads it (other tests follow the dialog to the workspace).
    page.route("**/workspace/*", lambda route: route.fulfill(status=204))
    dialog.get_by_test_id("retry-job-button").click()
    expect(dialog.get_by_test_id("open-video-button")).to_be_visible(timeout=60_000)
    assert serious_violations(page) == [], "completed"
    said: list[str] = page.evaluate("() => window.auroraSaid")
    assert len(said) == len(set(said)), said  # nothing twice
    assert "Generating scene 1" in said
    assert "Generation failed: Cancelled by user" in said
    assert said[-1] == "Your video is ready"


def test_create_jobs_and_the_workspace_have_no_serious_violation(
        app: AppProcess, page: Page) -> None:
    page.goto(app.base_url + "/")
    expect(page.get_by_test_id("queue-estimate")).to_be_visible()
    assert serious_violations(page) == [], "create"
    job_id = start_job(page, app.base_url, "Rain on a tin roof", duration=15)
    page.wait_for_url(f"**/workspace/{job_id}", timeout=60_000)
    expect(page.get_by_test_id("final-video")).to_be_visible()
    assert serious_violations(page) == [], "workspace"
    page.goto(app.base_url + "/jobs")
    expect(page.get_by_test_id("job-card").first).to_be_visible()
    assert serious_violations(page) == [], "jobs"


IN_THE_DIALOG = "() => document.activeElement.closest('[data-testid=progress-dialog]') !== null"


def test_the_dialog_from_the_keyboard_keeps_the_focus_and_gives_it_back(
        app: AppProcess, page: Page) -> None:
    page.goto(app.base_url + "/")
    choose(page, "duration-select", "60 seconds")  # the dialog stays up long enough
    page.get_by_test_id("prompt-input").focus()
    page.keyboard.type("A tram in the rain")
    page.keyboard.press("Control+Enter")  # Generate, without the mouse
    dialog = page.get_by_test_id("progress-dialog")
    expect(dialog.get_by_test_id("background-button")).to_be_visible(timeout=30_000)
    job_id = page.url.rsplit("job=", 1)[1]
    try:
        for key in ["Tab"] * 5 + ["Shift+Tab"] * 5:  # round and round, never behind it
            page.keyboard.press(key)
            assert page.evaluate(IN_THE_DIALOG), key
        background = dialog.get_by_test_id("background-button")
        for _ in range(10):  # Tab to *Run in background*
            if background.evaluate("(button) => button === document.activeElement"):
                break
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # Run in background
        expect(dialog).to_be_hidden()
        expect(page.get_by_test_id("generate-button")).to_be_focused()
    finally:
        httpx.post(f"{app.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)
