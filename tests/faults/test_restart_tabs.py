"""Open tabs survive a restart of the real dashboard (embedded backend, real rendering).

A tab with the progress dialog on a running job and a tab on a finished job's workspace; the
app gets SIGTERM and starts again on the same port and data dir. Nobody touches the tabs:
they reconnect by themselves and show the truth.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from testkit.app_process import AppProcess
from testkit.browser import PLAYING, start_job
from testkit.sse import generate, read_events
from testkit.trouble import LogWatch

PROMPT = "A long train crossing a desert at dusk"
RELOADED = "() => window.auroraBeforeRestart === undefined"
BACK = 30_000  # ms: the restart, the browser's reconnect back-off, the reload


@pytest.fixture
def embedded_app(tmp_path: Path) -> Iterator[AppProcess]:
    """A dashboard with its embedded backend and a data dir of its own."""
    app = AppProcess(tmp_path / "data").start()
    yield app
    app.stop()


def restart(app: AppProcess) -> AppProcess:
    """SIGTERM ``app`` and start it again on the same port and data dir."""
    app.stop(signal.SIGTERM)
    return AppProcess(app.data_dir, port=app.port).start()


def mark(page: Page) -> None:
    """Leave a mark in the page that only a reload removes."""
    page.evaluate("() => { window.auroraBeforeRestart = true; }")


def test_open_tabs_reconnect_by_themselves_after_a_restart_and_show_the_truth(
        context: BrowserContext, embedded_app: AppProcess) -> None:
    finished = generate(embedded_app.base_url, duration=15)
    read_events(embedded_app.base_url, finished)
    workspace = context.new_page()
    workspace.goto(f"{embedded_app.base_url}/workspace/{finished}")
    workspace.wait_for_function(PLAYING)
    dialog = context.new_page()
    start_job(dialog, embedded_app.base_url, PROMPT, duration=60)
    expect(dialog.get_by_test_id("current-stage")).to_contain_text("Generating scene",
                                                                    timeout=20_000)
    mark(dialog)
    mark(workspace)

    restarted = restart(embedded_app)
    watch = LogWatch(restarted)
    try:
        dialog.wait_for_function(RELOADED, timeout=BACK)
        expect(dialog.get_by_test_id("error-message")).to_have_text("Interrupted by restart")
        expect(dialog.get_by_test_id("try-again-button")).to_be_visible()
        expect(dialog.get_by_test_id("prompt-input")).to_have_value(PROMPT)
        workspace.wait_for_function(RELOADED, timeout=BACK)
        expect(workspace.get_by_test_id("final-video")).to_be_visible()
        workspace.wait_for_function(PLAYING)
        watch.check()
    finally:
        restarted.stop()
