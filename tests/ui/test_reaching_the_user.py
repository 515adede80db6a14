"""A dashboard that reaches its user away from the dialog: the tab's title tells a running
job's progress, in a real browser on a real embedded backend."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.browser import start_job


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = AppProcess(tmp_path_factory.mktemp("reach") / "data",
                     env={"AURORA_RENDER_SIZE": "draft", "AURORA_RENDER_WORKERS": "1"}).start()
    yield app
    app.stop()


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
