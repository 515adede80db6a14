"""``/jobs`` kept live by the backend's events stream: open tabs follow every change while the
dashboard asks the backend for no list at all, counted in the backend's own access log (the
backend runs as ``main.py api``, the dashboard as a program of its own in front of it).

Without the stream (a backend answering 404, like the contract peer) the dashboard polls, and
the list still updates: ``test_many_tabs.py`` shows a job started elsewhere appear that way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from services.contract import API_PREFIX
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.browser import job_card, open_tab
from testkit.sse import generate

LISTING = f"{API_PREFIX}/jobs"
QUIET_SECONDS = 30  # how long the tabs must go without a list request while jobs change
TABS = 3


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppProcess, AppProcess]]:
    """The backend alone, rendering quick drafts, and a dashboard that uses it."""
    scratch = tmp_path_factory.mktemp("live-lists")
    api = AppProcess(scratch / "data", command="api", env=QUICK_RENDERS).start()
    dashboard = AppProcess(scratch / "dashboard", api_url=api.base_url).start()
    yield api, dashboard
    dashboard.stop()
    api.stop()


def _cancelled_job(api: AppProcess) -> str:
    job_id = generate(api.base_url, duration=60)
    answer = httpx.post(f"{api.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)
    assert answer.status_code == 202
    return job_id


def test_open_tabs_follow_every_change_and_ask_for_no_list_for_thirty_seconds(
        context: BrowserContext, programs: tuple[AppProcess, AppProcess]) -> None:
    api, dashboard = programs
    tabs = [open_tab(context, f"{dashboard.base_url}/jobs") for _ in range(TABS)]
    for tab in tabs:
        expect(tab.get_by_test_id("jobs-empty")).to_contain_text("No videos yet")
    asked = api.requests_served(LISTING)
    started = time.monotonic()

    finished, cancelled = generate(api.base_url), _cancelled_job(api)
    for tab in tabs:
        expect(job_card(tab, cancelled)).to_have_attribute("data-status", "failed")
        expect(job_card(tab, finished)).to_have_attribute("data-status", "completed",
                                                          timeout=120_000)
        expect(tab.get_by_test_id("status-filter")).to_contain_text("Completed · 1")
    changes = 2
    while time.monotonic() - started < QUIET_SECONDS:
        job_id = _cancelled_job(api)
        for tab in tabs:
            expect(job_card(tab, job_id)).to_have_attribute("data-status", "failed")
        changes += 1
        time.sleep(1)

    assert api.requests_served(LISTING) == asked
    for tab in tabs:
        expect(tab.get_by_test_id("job-card")).to_have_count(changes)
        expect(tab.get_by_test_id("status-filter")).to_contain_text(f"Failed · {changes - 1}")
