"""The queue in view: a waiting job says where it stands, Create says what a new job would
wait, and a queued job can be moved ahead, in a real browser on a real backend.

One dashboard with its embedded backend and one slot; the jobs a test queues are a minute of
video each, so they wait as long as the test needs, and are cancelled to move the line on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess, quick_dashboard
from testkit.browser import TRACE_SCRIPT, job_card, read_trace, start_job

MINUTE = {"prompt": "A slow pan over a harbour at dusk", "duration": 60}


@pytest.fixture(scope="module")
def queue_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with quick_dashboard(tmp_path_factory.mktemp("queue") / "data") as app:
        yield app


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
    assert _card_order(page, second, third) == [third, second]  # newest on top
    job_card(page, third).get_by_test_id("run-next-button").click()
    expect(stage_of[third]).to_have_text("Waiting in queue · 1st in line")
    expect(stage_of[second]).to_have_text("Waiting in queue · 2nd in line")
    page.wait_for_function(ORDER_OF_CARDS + f" === {json.dumps(f'{second} {third}')}",
                           arg=[second, third], timeout=15_000)  # the next to start lowest


ORDER_OF_CARDS = """(ids) => [...document.querySelectorAll('[data-testid=job-card]')]
    .map((card) => card.dataset.jobId).filter((id) => ids.includes(id)).join(' ')"""


def _card_order(page: Page, *job_ids: str) -> list[str]:
    """The cards of ``job_ids`` as they are listed, top first."""
    order: str = page.evaluate(ORDER_OF_CARDS, list(job_ids))
    return order.split()


def _scenes_ready(page: Page) -> Locator:
    """The dialog's rows of finished scenes ("Scene 2 ready", ✓)."""
    return page.get_by_test_id("progress-dialog").locator(
        "[data-testid=stage-item][data-state=completed]", has_text=re.compile(r"^Scene \d+ ready$"))


def test_retry_on_a_card_that_saw_its_job_fail_resumes_the_job_in_its_dialog(
        queue_app: AppProcess, api: httpx.Client, page: Page) -> None:
    job_id = _queue(api)
    page.goto(queue_app.base_url + "/jobs")
    card = job_card(page, job_id)
    expect(card).to_have_attribute("data-status", "processing", timeout=30_000)
    api.post(f"{API_PREFIX}/jobs/{job_id}/cancel")
    expect(card).to_have_attribute("data-status", "failed")  # this tab saw it end
    card.get_by_test_id("retry-job-button").click()
    dialog = page.get_by_test_id("progress-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("error-message")).to_be_hidden()  # not the old attempt
    page.wait_for_url(f"**/workspace/{job_id}", timeout=90_000)  # it completed
    assert api.get(f"{API_PREFIX}/jobs/{job_id}").json()["attempt"] == 2


def test_retry_in_a_failed_dialog_shows_the_kept_scenes_at_once_and_completes(
        queue_app: AppProcess, api: httpx.Client, page: Page) -> None:
    page.add_init_script(TRACE_SCRIPT)  # every state each stage row takes, in order
    job_id = start_job(page, queue_app.base_url, "A kite over the dunes", duration=60)
    dialog = page.get_by_test_id("progress-dialog")
    expect(_scenes_ready(page).nth(1)).to_be_visible(timeout=60_000)  # two or more of ten
    api.post(f"{API_PREFIX}/jobs/{job_id}/cancel")
    expect(dialog.get_by_test_id("error-message")).to_have_text("Cancelled by user")
    kept: list[int] = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=stage-item]')].flatMap((item, index) => item.dataset.state === 'completed'
        && /^Scene \\d+ ready$/.test(item.textContent.trim()) ? [index] : [])""")
    assert len(kept) >= 2
    dialog.get_by_test_id("retry-job-button").click()
    expect(dialog.get_by_test_id("error-message")).to_be_hidden()
    page.wait_for_url(f"**/workspace/{job_id}", timeout=90_000)
    expect(page.get_by_test_id("final-video")).to_be_visible()
    stages = read_trace(page)["stages"]
    for index in kept:  # ✓ from the first state of the retry on: never pending or current again
        states = stages[str(index)]
        assert states[states.index("completed"):] == ["completed"], (index, states)
    assert api.get(f"{API_PREFIX}/jobs/{job_id}").json()["attempt"] == 2


def test_retry_on_a_failed_jobs_workspace_follows_it_live_to_its_video(
        queue_app: AppProcess, api: httpx.Client, page: Page) -> None:
    job_id: str = api.post(f"{API_PREFIX}/generate", json={
        "prompt": "Rain on a tin roof", "duration": 15}).json()["job_id"]
    api.post(f"{API_PREFIX}/jobs/{job_id}/cancel")
    page.goto(f"{queue_app.base_url}/workspace/{job_id}")
    expect(page.get_by_test_id("error-message")).to_have_text("Cancelled by user")
    page.get_by_test_id("retry-job-button").click()
    expect(page.get_by_test_id("progress-bar")).to_be_visible()  # live on the same page
    expect(page.get_by_test_id("final-video")).to_be_visible(timeout=60_000)
    assert api.get(f"{API_PREFIX}/jobs/{job_id}").json()["attempt"] == 2
