"""The progress dialog when the backend misbehaves, against the contract peer.

The peer counts each job's open progress connections on its own side, so "the stream was
closed" is checked where it matters: on the server.
"""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import RELEASED_WITHIN, TRACE_SCRIPT, read_trace, relayed_url
from testkit.peer import Drop, Pause, Peer, Reply, SendDone, SendUpdate, contract_run
from testkit.waiting import wait_until

RUNNING = {"status": "processing", "current_stage": "scene_2_generating",
           "current_stage_display": "Generating scene 2"}


def open_job(page: Page, app: AppProcess, job_id: str) -> None:
    """Reattach to a job the way a reload does: ``/?job=<id>``."""
    page.goto(f"{app.base_url}/?job={job_id}")
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()


def test_a_dropped_stream_shows_reconnecting_and_recovers(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.retry_ms = 1500  # the backend's retry: hint keeps "reconnecting" up for 1.5 s
    peer.add_job("drop", [SendUpdate(progress=40, **RUNNING), Drop(),
                          SendUpdate(progress=55, **RUNNING), Pause()])
    open_job(page, peer_app, "drop")
    status = page.get_by_test_id("connection-status")
    expect(status).to_have_text("Connection lost, reconnecting (attempt 1 of 3)")
    expect(page.get_by_test_id("progress-percent")).to_have_text("40%")
    expect(page.get_by_test_id("progress-percent")).to_have_text("55%")
    expect(status).to_be_hidden()
    assert peer.last_event_ids("drop")[1] is not None  # the second connection resumed


def test_a_dead_backend_ends_in_connection_failed_and_retry_reconnects(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.retry_ms = None
    peer.add_job("dead", [SendUpdate(progress=70, **RUNNING), Pause()])
    for _ in range(4):  # the first connection and its three retries
        peer.queue_reply("progress", Reply(502, {"detail": "Bad gateway"}))
    open_job(page, peer_app, "dead")
    status = page.get_by_test_id("connection-status")
    expect(status).to_have_text(re.compile(r"reconnecting \(attempt 3 of 3\)"))
    expect(status).to_have_text("Connection failed: The backend failed (502): Bad gateway")
    expect(page.get_by_test_id("cancel-button")).to_be_visible()
    page.get_by_test_id("retry-button").click()
    expect(page.get_by_test_id("progress-percent")).to_have_text("70%")
    expect(status).to_be_hidden()
    expect(page.get_by_test_id("retry-button")).to_be_hidden()


@pytest.mark.parametrize("leave", ["navigate away", "close the tab", "run in background"])
def test_leaving_releases_the_upstream_stream(
        page: Page, peer_app: AppProcess, peer: Peer, leave: str) -> None:
    job = peer.add_job("watched", [SendUpdate(progress=30, **RUNNING), Pause()])
    open_job(page, peer_app, "watched")
    expect(page.get_by_test_id("progress-percent")).to_have_text("30%")
    assert job.open_streams == 1
    if leave == "navigate away":
        page.goto("about:blank")
    elif leave == "close the tab":
        page.close()
    else:
        page.get_by_test_id("background-button").click()
        expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
        expect(page).to_have_url(re.compile(r"/$"))
    # a closed tab's client is deleted after NiceGUI's reconnect grace, then the hub's grace
    wait_until(lambda: job.open_streams == 0, timeout=RELEASED_WITHIN, what="the stream closing")
    assert job.streams_opened == 1


def test_a_reload_brings_the_dialog_back_on_the_same_job(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("reload", [SendUpdate(progress=45, **RUNNING), Pause()])
    open_job(page, peer_app, "reload")
    expect(page.get_by_test_id("progress-percent")).to_have_text("45%")
    page.reload()
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    expect(page.get_by_test_id("progress-percent")).to_have_text("45%")
    expect(page.get_by_test_id("current-stage")).to_have_text("Generating scene 2")
    expect(page.get_by_test_id("prompt-input")).to_have_value(job.state["prompt"])
    wait_until(lambda: job.open_streams == 1, what="one stream after the reload")


def test_cancel_on_a_backend_without_the_extension_just_closes(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.original_spec = True
    job = peer.add_job("plain", [SendUpdate(progress=20, **RUNNING), Pause()])
    open_job(page, peer_app, "plain")
    expect(page.get_by_test_id("progress-percent")).to_have_text("20%")
    page.get_by_test_id("cancel-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.locator(".q-notification")).to_have_count(0)
    wait_until(lambda: job.open_streams == 0, what="the stream closing")
    assert job.state["status"] == "processing"


def test_a_failed_job_shows_the_backends_message_and_try_again_keeps_the_prompt(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("fails", [SendUpdate(progress=60, **RUNNING),
                                 SendUpdate(status="failed", error="Renderer ran out of memory"),
                                 SendDone("failed")], prompt="A storm over the sea at night")
    open_job(page, peer_app, "fails")
    expect(page.get_by_test_id("error-message")).to_have_text("Renderer ran out of memory")
    expect(page.get_by_test_id("stage-item").and_(page.locator("[data-state=failed]"))) \
        .to_have_text("Generating scene 2")
    expect(page.get_by_test_id("cancel-button")).to_be_hidden()
    page.get_by_test_id("try-again-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.get_by_test_id("prompt-input")).to_have_value(job.state["prompt"])
    expect(page.get_by_test_id("prompt-input")).to_be_focused()


def test_the_eta_counts_down_each_second_to_almost_done(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("eta", [SendUpdate(progress=90, estimated_time_remaining=3, **RUNNING), Pause()])
    page.add_init_script(TRACE_SCRIPT)
    open_job(page, peer_app, "eta")
    expect(page.get_by_test_id("eta")).to_have_text("Almost done", timeout=6_000)
    shown = read_trace(page)["eta"]
    assert [entry["text"] for entry in shown] == [
        "Est. 3 sec remaining", "Est. 2 sec remaining", "Est. 1 sec remaining", "Almost done"]
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(shown)]
    assert all(0.8 < gap < 1.3 for gap in gaps[1:]), gaps  # the first tick may come early


def test_thumbnails_fill_their_slots_as_scenes_finish(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    thumbnails = [{"url": f"/api/v1/media/{k}.jpg", "scene_number": k, "created_at": k}
                  for k in (1, 2)]
    unsafe = {"url": "javascript:alert(1)", "scene_number": 3, "created_at": 3}
    peer.add_job("thumbs", [
        *contract_run(5)[:4],
        SendUpdate(assets={"scene_clips": [], "thumbnails": thumbnails[:1]}),
        SendUpdate(assets={"scene_clips": [], "thumbnails": thumbnails}),
        SendUpdate(assets={"scene_clips": [], "thumbnails": [*thumbnails, unsafe]}),
        Pause()])
    open_job(page, peer_app, "thumbs")
    images = page.get_by_test_id("scene-thumbnail")
    expect(images).to_have_count(2)
    assert relayed_url(images.first.get_attribute("src") or "") == f"{peer.url}/api/v1/media/1.jpg"
    expect(page.locator(".aurora-thumb-slot")).to_have_count(3)  # scenes 3..5 still to come
