"""The queue in view: a waiting job says where it stands, Create says what a new job would
wait, and a queued job can be moved ahead, in a real browser on a real backend.

One dashboard with its embedded backend and one slot; the jobs a test queues are a minute of
video each, so they wait as long as the test needs, and are cancelled to move the line on.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.browser import job_card, start_job

MINUTE = {"prompt": "A slow pan over a harbour at dusk", "duration": 60}


@pytest.fixture(scope="module")
def queue_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = AppProcess(tmp_path_factory.mktemp("queue") / "data",
                     env={"AURORA_RENDER_SIZE": "draft", "AURORA_RENDER_WORKERS": "1"}).start()
    yield app
    app.stop()


@pytest.fixture
def api(queue_app: AppProcess) -> Iterator[httpx.Client]:
    """The backend's API; whatever a test leaves queued or running is cancelled after it."""
    with httpx.Client(base_url=queue_app.base_url, timeout=10) as client:
        yield client
        for status in ("pending", "processing"):
            for job in client.get(f"{API_PREFIX}/jobs", params={"status": status}).json()["jobs"]:
                client.post(f"{API_PREFIX}/jobs/{job['job_id']}/cancel")


def _queue(api: httpx.Client) -> str:
    job_id: str = api.post(f"{API_PREFIX}/generate", json=MINUTE).json()["job_id"]
    return job_id


def test_a_waiting_job_says_its_place_and_moves_up_to_live(queue_app: AppProcess,
                                                           api: httpx.Client, page: Page) -> None:
    running, first_in_line = _queue(api), _queue(api)
    start_job(page, queue_app.base_url, "A lighthouse in fog", duration=15)
    stage = page.get_by_test_id("progress-dialog").get_by_test_id("current-stage")
    expect(stage).to_have_text("Waiting in queue · 2nd in line")
    api.post(f"{API_PREFIX}/jobs/{running}/cancel")
    expect(stage).to_have_text("Waiting in queue · 1st in line")
    api.post(f"{API_PREFIX}/jobs/{first_in_line}/cancel")
    expect(stage).not_to_contain_text("in line", timeout=30_000)
    expect(stage).not_to_have_text("Waiting in queue")


def test_create_says_what_a_new_job_would_wait(queue_app: AppProcess, api: httpx.Client,
                                               page: Page) -> None:
    page.goto(queue_app.base_url + "/")
    outlook = page.get_by_test_id("queue-estimate")
    expect(outlook).to_have_text("Starts right away")
    _queue(api)  # takes the one slot
    _queue(api)  # and one waits
    expect(outlook).to_contain_text("Starts in about", timeout=15_000)
    expect(outlook).to_contain_text("1 video waiting")


def test_run_next_moves_a_queued_job_ahead(queue_app: AppProcess, api: httpx.Client,
                                           page: Page) -> None:
    _queue(api)
    second, third = _queue(api), _queue(api)
    page.goto(queue_app.base_url + "/jobs")
    stage_of = {job_id: job_card(page, job_id).get_by_test_id("current-stage")
                for job_id in (second, third)}
    expect(stage_of[third]).to_have_text("Waiting in queue · 2nd in line")
    expect(job_card(page, second).get_by_test_id("run-next-button")).to_be_visible()
    job_card(page, third).get_by_test_id("run-next-button").click()
    expect(stage_of[third]).to_have_text("Waiting in queue · 1st in line")
    expect(stage_of[second]).to_have_text("Waiting in queue · 2nd in line")


def test_retry_on_a_failed_card_resumes_the_job_in_its_dialog(
        queue_app: AppProcess, api: httpx.Client, page: Page) -> None:
    job_id: str = api.post(f"{API_PREFIX}/generate", json={
        "prompt": "A paper lantern rising", "duration": 15}).json()["job_id"]
    api.post(f"{API_PREFIX}/jobs/{job_id}/cancel")
    page.goto(queue_app.base_url + "/jobs")
    card = job_card(page, job_id)
    expect(card).to_have_attribute("data-status", "failed")
    card.get_by_test_id("retry-job-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    page.wait_for_url(f"**/workspace/{job_id}", timeout=60_000)  # it completed
    assert api.get(f"{API_PREFIX}/jobs/{job_id}").json()["attempt"] == 2
