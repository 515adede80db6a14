"""Back and Forward around the progress dialog go where the user has been, never in a loop."""

import re

from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import job_card, start_job
from testkit.peer import Peer, SendUpdate, contract_run, play_next, waiting

RUNNING = SendUpdate(status="processing", progress=5, current_stage="script_generating",
                     current_stage_display="Generating script with AI")


def finish_and_go_back(page: Page, peer: Peer, job_id: str) -> None:
    """Let the job finish, wait for its workspace, then press Back."""
    play_next(peer.jobs[job_id], *contract_run(3))
    page.wait_for_url(re.compile(rf"/workspace/{job_id}$"), timeout=15_000)
    page.go_back()


def test_back_from_the_workspace_goes_to_create_not_to_the_dialog(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.new_job_steps = [RUNNING, *waiting()]
    job_id = start_job(page, peer_app.base_url, "A kite over a windy beach")
    finish_and_go_back(page, peer, job_id)
    expect(page).to_have_url(peer_app.base_url + "/")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    page.go_forward()
    expect(page).to_have_url(re.compile(rf"/workspace/{job_id}$"))


def test_back_from_a_job_watched_on_jobs_goes_to_jobs(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("kite", [RUNNING, *waiting()], status="processing")
    page.goto(peer_app.base_url + "/jobs")
    job_card(page, "kite").get_by_test_id("watch-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    finish_and_go_back(page, peer, "kite")
    expect(page).to_have_url(peer_app.base_url + "/jobs")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
