"""``/jobs`` against the peer: order, the status filter, the ways out of a card, and its look."""

import json
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import job_card
from testkit.jobs_list import NEWEST_FIRST, add_jobs, expect_shown
from testkit.peer import Peer, SendEvent, SendUpdate, contract_run, play_next, waiting


def test_jobs_are_newest_first_filtered_by_status_and_only_running_ones_stream(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "order")
    page.goto(f"{peer_app.base_url}/jobs")
    expect_shown(page, [ids[name] for name in NEWEST_FIRST])
    fox = job_card(page, ids["fox"])
    expect(fox.get_by_test_id("progress-percent")).to_have_text("48%")
    expect(fox.get_by_test_id("eta")).to_contain_text("remaining")
    expect(job_card(page, ids["lighthouse"]).get_by_test_id("job-card-status")) \
        .to_have_text("Queued")
    expect(job_card(page, ids["balloon"]).get_by_test_id("error-message")) \
        .to_have_text("Renderer ran out of memory")

    status_filter = page.get_by_test_id("status-filter")
    for label, shown in [("Running", ["lighthouse", "fox"]), ("Completed", ["boat", "lights"]),
                         ("Failed", ["balloon"])]:
        status_filter.get_by_text(label).click()
        expect_shown(page, [ids[name] for name in shown])
    finished = [peer.jobs[ids[name]] for name in ("lights", "balloon", "boat")]
    assert [job.streams_opened for job in finished] == [0, 0, 0]  # no stream for a finished job
    assert (peer.jobs[ids["fox"]].open_streams, peer.jobs[ids["fox"]].streams_opened) == (1, 1)


def test_a_finished_card_opens_its_workspace_and_a_running_one_its_dialog(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "ways-out")
    page.goto(f"{peer_app.base_url}/jobs")
    job_card(page, ids["boat"]).get_by_test_id("open-workspace-button").click()
    page.wait_for_url(f"**/workspace/{ids['boat']}")
    expect(page.get_by_test_id("job-prompt")).to_have_text("A paper boat on a rainy street")

    page.goto(f"{peer_app.base_url}/jobs")
    job_card(page, ids["fox"]).get_by_test_id("watch-button").click()
    dialog = page.get_by_test_id("progress-dialog")
    expect(dialog.get_by_test_id("progress-percent")).to_have_text("48%")
    expect(page).to_have_url(re.compile(rf"/jobs\?job={ids['fox']}$"))
    page.reload()
    expect(dialog.get_by_test_id("current-stage")).to_have_text("Generating scene 3")
    dialog.get_by_test_id("background-button").click()
    expect(dialog).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/jobs$"))
    assert peer.jobs[ids["fox"]].streams_opened == 1  # card, dialog and reload: one stream


def test_a_card_that_saw_its_job_end_first_takes_the_picture_a_later_listing_brings(
        page: Page, peer_app: AppProcess, peer: Peer, tmp_path: Path) -> None:
    Image.new("RGB", (160, 90), (180, 76, 255)).save(tmp_path / "scene_01.png")
    peer.files["scene_01.png"] = tmp_path / "scene_01.png"
    job = peer.add_job("fox", [SendUpdate(status="processing", progress=40), *waiting()],
                       status="processing", progress=40)
    page.goto(f"{peer_app.base_url}/jobs")
    card = job_card(page, "fox")
    expect(card.get_by_test_id("progress-percent")).to_have_text("40%")

    # The stream says it is over while the list still has it running, without a picture.
    play_next(job, SendEvent("done", json.dumps({"status": "completed"})))
    expect(card).to_have_attribute("data-status", "completed")
    expect(card.get_by_test_id("job-thumbnail")).to_have_count(0)
    job.state.update(status="completed", progress=100, thumbnail_url="/files/scene_01.png")

    expect(card.get_by_test_id("job-thumbnail")).to_be_visible()


def test_screenshot_of_the_jobs_page(page: Page, peer_app: AppProcess, peer: Peer,
                                     screenshot_dir: Path) -> None:
    ids = add_jobs(peer, "look")
    page.goto(f"{peer_app.base_url}/jobs")
    expect(job_card(page, ids["fox"]).get_by_test_id("progress-percent")).to_have_text("48%")
    expect(job_card(page, ids["lighthouse"]).get_by_test_id("current-stage")) \
        .to_have_text("Waiting in queue")
    page.screenshot(path=screenshot_dir / "jobs.png", full_page=True, animations="disabled")


def test_cancel_on_a_backend_without_the_extension_says_so_and_the_job_runs_on(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.original_spec = True
    ids = add_jobs(peer, "no-cancel")
    page.goto(f"{peer_app.base_url}/jobs")
    fox = job_card(page, ids["fox"])
    expect(fox.get_by_test_id("progress-percent")).to_have_text("48%")
    fox.get_by_test_id("cancel-job-button").click()
    expect(page.locator(".q-notification")).to_contain_text("This backend cannot cancel jobs")
    expect(fox).to_have_attribute("data-status", "processing")
    assert peer.jobs[ids["fox"]].state["status"] == "processing"


def test_a_dialog_opened_from_a_card_outlives_the_card_when_its_job_ends(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "outlives")
    page.goto(f"{peer_app.base_url}/jobs")
    job_card(page, ids["fox"]).get_by_test_id("watch-button").click()
    dialog = page.get_by_test_id("progress-dialog")
    expect(dialog.get_by_test_id("progress-percent")).to_have_text("48%")
    play_next(peer.jobs[ids["fox"]], *contract_run(3))
    expect(dialog.get_by_test_id("open-video-button")).to_be_visible()
    expect(job_card(page, ids["fox"])).to_have_attribute("data-status", "completed")
    page.wait_for_url(f"**/workspace/{ids['fox']}")
