"""Many tabs, many jobs: one upstream stream per job, reattach, ``/jobs`` live, cancel, toasts.

The peer counts each job's open progress connections on its own side: every "one connection"
and "back to zero" here is that count, never anything the dashboard says about itself. Tabs
are pages of one browser context: each is its own NiceGUI client all the same.
"""

import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from testkit.app_process import AppProcess
from testkit.browser import (
    RELEASED_WITHIN,
    job_card,
    job_toast,
    open_tab,
    start_job,
)
from testkit.peer import Peer, SendDone, SendUpdate, play_next, waiting
from testkit.waiting import wait_until

RUNNING = {"status": "processing", "current_stage": "scene_2_generating",
           "current_stage_display": "Generating scene 2"}
LATER = {"progress": 70, "current_stage": "scene_4_generating",
         "current_stage_display": "Generating scene 4"}
IN_SYNC_AT_ONCE = 3_000  # ms for a late tab to show the current state: its page load, no event


def dialog_tab(context: BrowserContext, app: AppProcess, job_id: str) -> Page:
    """A tab whose progress dialog follows ``job_id`` (as after a reload: ``/?job=<id>``)."""
    tab = open_tab(context, f"{app.base_url}/?job={job_id}")
    expect(tab.get_by_test_id("progress-dialog")).to_be_visible()
    return tab


def test_nine_tabs_share_one_upstream_connection_which_closes_after_the_last_tab(
        context: BrowserContext, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("shared", [SendUpdate(progress=40, **RUNNING), *waiting()])
    tabs = [dialog_tab(context, peer_app, "shared") for _ in range(8)]
    for tab in tabs:
        expect(tab.get_by_test_id("progress-percent")).to_have_text("40%")
    assert (job.open_streams, job.streams_opened) == (1, 1)

    play_next(job, SendUpdate(**LATER))
    for tab in tabs:
        expect(tab.get_by_test_id("progress-percent")).to_have_text("70%")
        expect(tab.get_by_test_id("current-stage")).to_have_text("Generating scene 4")

    ninth = open_tab(context, f"{peer_app.base_url}/?job=shared")
    expect(ninth.get_by_test_id("progress-percent")).to_have_text("70%", timeout=IN_SYNC_AT_ONCE)
    expect(ninth.get_by_test_id("current-stage")).to_have_text("Generating scene 4")
    assert (job.open_streams, job.streams_opened) == (1, 1)

    for tab in [*tabs, ninth]:
        tab.close()
    wait_until(lambda: job.open_streams == 0, timeout=RELEASED_WITHIN,
               what="the backend's connection count falling to 0")
    assert job.streams_opened == 1
    assert not job.cancelled  # closing tabs never cancels a job


def test_a_reload_mid_job_brings_the_dialog_back_in_sync(
        context: BrowserContext, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("reloaded", [SendUpdate(progress=40, **RUNNING), *waiting()])
    tab = dialog_tab(context, peer_app, "reloaded")
    expect(tab.get_by_test_id("progress-percent")).to_have_text("40%")
    tab.reload(wait_until="commit")
    play_next(job, SendUpdate(**LATER))  # while the tab is away
    expect(tab.get_by_test_id("progress-dialog")).to_be_visible()
    expect(tab.get_by_test_id("progress-percent")).to_have_text("70%")
    expect(tab.get_by_test_id("current-stage")).to_have_text("Generating scene 4")
    assert tab.url.endswith("/?job=reloaded")
    assert job.streams_opened == 1  # the hub kept the stream through the reload


def test_jobs_shows_a_job_started_elsewhere_without_a_reload_and_its_bar_moves(
        context: BrowserContext, peer_app: AppProcess, peer: Peer) -> None:
    peer.new_job_steps = [SendUpdate(progress=20, **RUNNING), *waiting()]
    jobs = open_tab(context, f"{peer_app.base_url}/jobs")
    expect(jobs.get_by_test_id("jobs-empty")).to_contain_text("No videos yet")

    job_id = start_job(context.new_page(), peer_app.base_url, "A comet over a quiet harbour")
    card = job_card(jobs, job_id)
    expect(card).to_have_attribute("data-status", "processing")
    expect(card.get_by_test_id("job-card-prompt")).to_have_text("A comet over a quiet harbour")
    expect(card.get_by_test_id("progress-percent")).to_have_text("20%")
    play_next(peer.jobs[job_id], SendUpdate(**LATER))
    expect(card.get_by_test_id("progress-bar")).to_have_attribute("aria-valuenow", "70")
    expect(card.get_by_test_id("current-stage")).to_have_text("Generating scene 4")
    assert peer.jobs[job_id].open_streams == 1  # the card and the other tab's dialog share it

    peer.add_job("elsewhere", [SendUpdate(progress=5, **RUNNING), *waiting()],
                 prompt="Started by another client of the backend")
    expect(jobs.get_by_test_id("job-card").first).to_have_attribute("data-job-id", "elsewhere")
    expect(job_card(jobs, "elsewhere").get_by_test_id("progress-percent")).to_have_text("5%")


def test_cancel_on_jobs_ends_the_job_and_the_other_tabs_see_it_end(
        context: BrowserContext, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("doomed", [SendUpdate(progress=35, **RUNNING), *waiting()])
    watching = dialog_tab(context, peer_app, "doomed")
    jobs = open_tab(context, f"{peer_app.base_url}/jobs")
    card = job_card(jobs, "doomed")
    expect(card.get_by_test_id("progress-percent")).to_have_text("35%")

    card.get_by_test_id("cancel-job-button").click()
    expect(card).to_have_attribute("data-status", "failed")
    expect(card.get_by_test_id("error-message")).to_have_text("Cancelled by user")
    expect(card.get_by_test_id("progress-bar")).to_have_count(0)  # a finished card holds nothing
    expect(watching.get_by_test_id("error-message")).to_have_text("Cancelled by user")
    for tab in (jobs, watching):  # a cancel is no failure: the toast says what happened
        expect(job_toast(tab, "doomed")).to_contain_text("Generation cancelled")
        expect(job_toast(tab, "doomed")).not_to_contain_text("failed")
    assert job.cancelled
    wait_until(lambda: job.open_streams == 0, what="the ended job's stream closing")


# An end is announced once per job id for the life of the app: each case has its own job.
@pytest.mark.parametrize(("seen_by", "job_id"), [("a watching tab", "ends-watched"),
                                                 ("the job list only", "ends-unwatched")])
def test_a_job_ending_toasts_a_tab_that_never_opened_its_dialog(
        context: BrowserContext, peer_app: AppProcess, peer: Peer, seen_by: str,
        job_id: str) -> None:
    job = peer.add_job(job_id, [SendUpdate(progress=90, **RUNNING), *waiting()],
                       prompt="A kite over <b>dunes</b>")
    quiet = open_tab(context, f"{peer_app.base_url}/")
    loaded = len(peer.requests)
    # Two polls of the list since the tab loaded: the later one came after the tab subscribed,
    # so the directory lists the job as running (its prompt, too) and will see it end.
    wait_until(lambda: sum(seen.path == "/api/v1/jobs" for seen in peer.requests[loaded:]) >= 2,
               what="the job list seeing the job running")
    if seen_by == "a watching tab":
        watching = dialog_tab(context, peer_app, job_id)
        expect(watching.get_by_test_id("progress-percent")).to_have_text("90%")
        play_next(job, SendUpdate(status="completed", progress=100), SendDone("completed"))
        text, link = "Video ready", "Open video"
    else:
        job.state.update(status="failed", error="<img src=x onerror=alert(1)> ran out of memory",
                         updated_at=time.time())
        text, link = "Generation failed: <img src=x onerror=alert(1)> ran out of memory", "Details"

    toast = job_toast(quiet, job_id)
    expect(toast).to_contain_text(text)
    expect(toast).to_contain_text("A kite over <b>dunes</b>")  # the prompt, as text
    expect(toast.locator("img, b")).to_have_count(0)
    expect(toast.get_by_test_id("toast-link")).to_have_text(link)
    expect(toast.get_by_test_id("toast-link")).to_have_attribute("href", f"/workspace/{job_id}")
    expect(quiet.get_by_test_id("progress-dialog")).to_have_count(0)


def test_many_jobs_ending_together_get_one_toast_not_a_stack(
        context: BrowserContext, peer_app: AppProcess, peer: Peer) -> None:
    batch = [f"batch-{index}" for index in range(6)]
    for job_id in batch:
        peer.add_job(job_id, [SendUpdate(progress=50, **RUNNING), *waiting()])
    quiet = open_tab(context, f"{peer_app.base_url}/")
    loaded = len(peer.requests)
    wait_until(lambda: sum(seen.path == "/api/v1/jobs" for seen in peer.requests[loaded:]) >= 2,
               what="the job list seeing the jobs running")
    time.sleep(0.2)  # that look's answer is sent; the next comes 2 s later (the poll interval)
    now = time.time()
    for job_id in batch[:4]:  # all between two looks at the list
        peer.jobs[job_id].state.update(status="completed", progress=100, updated_at=now)
    peer.jobs[batch[4]].state.update(status="failed", error="Out of memory", updated_at=now)
    peer.jobs[batch[5]].state.update(status="failed", error="Cancelled by user", updated_at=now)

    toast = quiet.get_by_test_id("jobs-toast")
    expect(toast).to_contain_text("6 jobs ended: 4 ready, 1 failed, 1 cancelled")
    expect(toast.get_by_test_id("toast-link")).to_have_attribute("href", "/jobs")
    expect(quiet.locator(".q-notification")).to_have_count(1)
    expect(quiet.get_by_test_id("job-toast")).to_have_count(0)
