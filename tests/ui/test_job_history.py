"""History in the browser, on a real embedded backend: search, thumbnails and delete.

The dashboard starts on a history written into its store beforehand (``testkit/stored_jobs.py``)
and renders one real video, for a thumbnail and a job with files to delete.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess, quick_dashboard
from testkit.browser import job_card
from testkit.stored_jobs import store_before_start, stored_job
from testkit.waiting import wait_until

PROMPTS = {"00000000000000b1": "A lighthouse at dawn", "00000000000000b2": "Harbour lights",
           "00000000000000b3": "A LIGHTHOUSE in fog", "00000000000000b4": "Rain on a tin roof",
           "00000000000000b5": "A fox in the snow", "00000000000000b6": "Kites over the dunes"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    data_dir = tmp_path_factory.mktemp("job-history") / "data"
    now = time.time()
    store_before_start(data_dir, [stored_job(job_id, prompt=prompt, at=now - 600 + number)
                                  for number, (job_id, prompt) in enumerate(PROMPTS.items())])
    with quick_dashboard(data_dir) as app:
        yield app


@pytest.fixture(scope="module")
def rendered(app: AppProcess) -> str:
    """A real video, rendered to the end: its card has a thumbnail, its job has files."""
    with httpx.Client(base_url=f"{app.base_url}{API_PREFIX}", timeout=10) as api:
        job_id: str = api.post("/generate", json={"prompt": "Paper boats on a canal",
                                                  "duration": 15}).json()["job_id"]
        wait_until(lambda: api.get(f"/jobs/{job_id}").json()["status"] == "completed",
                   timeout=120, what="the video finishing")
    return job_id


def _cards(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "[data-testid=job-card]", "(cards) => cards.map((card) => card.dataset.jobId)")
    return ids


def test_search_narrows_the_list_and_survives_a_reload(app: AppProcess, page: Page) -> None:
    page.goto(app.base_url + "/jobs")
    expect(job_card(page, "00000000000000b4")).to_be_visible()
    page.get_by_test_id("jobs-search").fill("lighthouse")
    expect(page.get_by_test_id("job-card")).to_have_count(2)
    assert _cards(page) == ["00000000000000b3", "00000000000000b1"]  # newest first, any case
    expect(page).to_have_url(f"{app.base_url}/jobs?q=lighthouse")

    page.reload()
    expect(page.get_by_test_id("jobs-search")).to_have_value("lighthouse")
    expect(page.get_by_test_id("job-card")).to_have_count(2)
    page.get_by_test_id("jobs-search").fill("lighthouse nowhere")
    expect(page.get_by_test_id("jobs-empty")).to_contain_text("match “lighthouse nowhere”")
    page.get_by_test_id("jobs-search").fill("")
    expect(job_card(page, "00000000000000b4")).to_be_visible()  # every job again
    expect(page).to_have_url(f"{app.base_url}/jobs")


def test_a_finished_jobs_card_shows_its_first_scene(app: AppProcess, rendered: str,
                                                      page: Page) -> None:
    page.goto(app.base_url + "/jobs")
    thumbnail = job_card(page, rendered).get_by_test_id("job-thumbnail")
    expect(thumbnail).to_be_visible()
    page.wait_for_function("(image) => image.complete && image.naturalWidth > 0",
                           arg=thumbnail.element_handle())
    expect(job_card(page, "00000000000000b5").get_by_test_id("job-thumbnail")).to_have_count(0)


def test_a_job_that_finishes_while_the_list_is_open_gets_its_picture(app: AppProcess,
                                                                      page: Page) -> None:
    page.goto(app.base_url + "/jobs")
    expect(job_card(page, "00000000000000b1")).to_be_visible()
    with httpx.Client(base_url=f"{app.base_url}{API_PREFIX}", timeout=10) as api:
        job_id: str = api.post("/generate", json={"prompt": "Lanterns on a river",
                                                  "duration": 15}).json()["job_id"]

    card = job_card(page, job_id)
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    expect(card.get_by_test_id("job-thumbnail")).to_be_visible()


def test_a_job_deleted_in_one_tab_leaves_the_other_tabs_list(app: AppProcess,
                                                              page: Page) -> None:
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(app.base_url + "/jobs")
        expect(job_card(tab, "00000000000000b6")).to_be_visible()
    job_card(page, "00000000000000b6").get_by_test_id("delete-button").click()
    confirmation = page.get_by_test_id("delete-confirmation")
    expect(confirmation.get_by_test_id("delete-prompt")).to_contain_text("Kites over the dunes")
    confirmation.get_by_test_id("confirm-delete-button").click()
    expect(job_card(page, "00000000000000b6")).to_have_count(0)
    expect(job_card(other, "00000000000000b6")).to_have_count(0)  # no reload
    answer = httpx.get(f"{app.base_url}{API_PREFIX}/jobs/00000000000000b6", timeout=10)
    assert answer.status_code == 404


def test_a_failed_jobs_workspace_shows_its_log_newest_last(app: AppProcess, page: Page) -> None:
    with httpx.Client(base_url=f"{app.base_url}{API_PREFIX}", timeout=10) as api:
        job_id: str = api.post("/generate", json={"prompt": "A slow pan over a harbour",
                                                  "duration": 60}).json()["job_id"]
        wait_until(lambda: api.get(f"/jobs/{job_id}").json()["current_stage"].startswith(
            "scene_"), timeout=60, what="the scenes under way")
        api.post(f"/jobs/{job_id}/cancel")
    page.goto(f"{app.base_url}/workspace/{job_id}")
    log = page.get_by_test_id("job-log")
    expect(log).to_be_visible()  # open at once: the job failed
    lines = log.locator(".aurora-log-line")
    expect(lines.first).to_contain_text("Queued")
    expect(lines.last).to_contain_text("Cancelled by user")  # newest last
    expect(lines.last).to_have_attribute("data-level", "warning")


def test_deleting_from_the_workspace_removes_the_video_and_goes_to_the_list(
        app: AppProcess, rendered: str, page: Page) -> None:
    page.goto(f"{app.base_url}/workspace/{rendered}")
    expect(page.get_by_test_id("final-video")).to_be_visible()
    page.get_by_test_id("delete-button").click()
    page.get_by_test_id("keep-button").click()  # changed their mind: nothing happens
    expect(page.get_by_test_id("delete-confirmation")).to_have_count(0)
    assert httpx.get(f"{app.base_url}{API_PREFIX}/jobs/{rendered}", timeout=10).is_success
    page.get_by_test_id("delete-button").click()
    page.get_by_test_id("confirm-delete-button").click()
    page.wait_for_url(f"{app.base_url}/jobs")
    expect(page.get_by_test_id("job-card").first).to_be_visible()
    assert rendered not in _cards(page)
    assert not (app.data_dir / "media" / rendered).exists()


@pytest.fixture(scope="module")
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """A dashboard whose backend holds 260 finished jobs (and 13 failed among them)."""
    data_dir = tmp_path_factory.mktemp("long-history") / "data"
    store_before_start(data_dir, [
        stored_job(f"{number:016x}", prompt=f"Take {number}", at=1000.0 + number,
                   status="failed" if number % 20 == 0 else "completed")
        for number in range(260)])
    app = AppProcess(data_dir, env={"AURORA_RENDER_SIZE": "draft"}).start()
    yield app
    app.stop()


def test_pages_of_fifty_load_as_the_list_scrolls_and_with_load_more(
        long_history: AppProcess, page: Page) -> None:
    page.goto(long_history.base_url + "/jobs")
    cards = page.get_by_test_id("job-card")
    expect(cards).to_have_count(50)
    counts = page.get_by_test_id("status-filter")
    expect(counts).to_contain_text("All · 260")  # the backend's counts, not what is loaded
    expect(counts).to_contain_text("Failed · 13")
    expect(counts).to_contain_text("Completed · 247")
    more = page.get_by_test_id("load-more")
    more.scroll_into_view_if_needed()  # scrolling down to it loads the next page by itself
    expect(cards).to_have_count(100)
    for _ in range(6):  # and a click on it, the ones after (the last from the backend)
        if not more.is_visible():
            break
        before = cards.count()
        more.click()
        expect(cards).not_to_have_count(before)
    expect(cards).to_have_count(260)
    expect(more).to_be_hidden()
    ids = _cards(page)
    assert len(set(ids)) == 260
    assert ids == [f"{number:016x}" for number in reversed(range(260))]  # newest first
