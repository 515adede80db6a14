"""Every stream fault of the contract's list, watched in a browser through the progress dialog.

Each test types a prompt, starts a job whose stream the peer scripts, and checks what the
user sees: the dialog ends in a sensible state and the typed prompt is still in the form.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import expect_toast, read_trace, seen_texts, start_job
from testkit.peer import Drop, Pause, Peer, Reply, SendDone, SendEvent, SendUpdate, Silence, Step

PROMPT = "A lantern festival on a river at night"


def running(progress: float, scene: int, **fields: Any) -> SendUpdate:
    """An update of a job at work on ``scene`` (the contract's stage names and texts)."""
    return SendUpdate(status="processing", progress=progress,
                      current_stage=f"scene_{scene}_generating",
                      current_stage_display=f"Generating scene {scene}", **fields)


def watch_job(page: Page, app: AppProcess, peer: Peer, steps: list[Step]) -> str:
    """Type ``PROMPT``, generate a job whose stream plays ``steps``; the job's id."""
    peer.new_job_steps = steps
    return start_job(page, app.base_url, PROMPT)


def expect_live(page: Page, percent: str, stage: str) -> None:
    """The dialog is live at ``percent`` and ``stage``, with no notice and no error."""
    expect(page.get_by_test_id("current-stage")).to_have_text(stage)
    expect(page.get_by_test_id("progress-percent")).to_have_text(percent)
    expect(page.get_by_test_id("background-button")).to_be_visible()
    expect(page.get_by_test_id("connection-status")).to_be_hidden()
    expect(page.get_by_test_id("error-message")).to_be_hidden()
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)


def test_malformed_data_is_skipped_and_the_stream_goes_on(
        page: Page, app: AppProcess, peer: Peer) -> None:
    job_id = watch_job(page, app, peer, [
        running(20, 1),
        SendEvent("update", "{not json"),
        SendEvent("update", json.dumps({"job_id": 7, "progress": "lots"})),
        SendEvent("update", "[1, 2, 3]"),
        SendEvent("done", json.dumps({"state": "completed"})),  # no status: not a done
        SendEvent("error", "null"),
        running(50, 3),
        Pause()])
    expect_live(page, "50%", "Generating scene 3")
    assert peer.jobs[job_id].streams_opened == 1  # nothing above broke the connection


def test_unknown_event_names_are_ignored(page: Page, app: AppProcess, peer: Peer) -> None:
    lookalike = {"job_id": "x", "status": "processing", "progress": 90,
                 "current_stage": "composing", "current_stage_display": "Not an update"}
    job_id = watch_job(page, app, peer, [
        running(20, 1),
        SendEvent("progress", json.dumps(lookalike)),
        Pause(0.3),  # time enough to show it, had it been taken for an update
        SendEvent("DONE", json.dumps({"status": "failed"})),
        SendEvent("heartbeat", "{}"),
        SendEvent("message", "hello"),
        running(35, 2),
        Pause()])
    expect_live(page, "35%", "Generating scene 2")
    assert "Not an update" not in seen_texts(page, "current-stage")
    assert peer.jobs[job_id].streams_opened == 1


def test_unknown_fields_are_ignored(page: Page, app: AppProcess, peer: Peer) -> None:
    extra = {"gpu": {"model": "X9", "temperature": 71}, "tags": ["a", "b"], "eta_v2": None}
    watch_job(page, app, peer, [
        running(45, 3, **extra,
                stages_completed=[{"name": "script", "display_name": "Script ready",
                                   "progress": 100, "tokens": 812, "model": "big"}],
                stages_pending=[{"name": "scene_4", "display_name": "Scene 4",
                                 "progress": 0, "queue_position": 2}],
                assets={"scene_clips": [], "thumbnails": [], "captions": [{"url": "/c.vtt"}]}),
        Pause()])
    expect_live(page, "45%", "Generating scene 3")
    rows = page.get_by_test_id("stage-item")
    expect(rows).to_have_text(["Script ready", "Generating scene 3", "Scene 4"])


def test_progress_outside_0_to_100_stays_within_and_never_goes_back(
        page: Page, app: AppProcess, peer: Peer) -> None:
    watch_job(page, app, peer, [
        running(-20, 1), Pause(0.3),
        running(40, 2), Pause(0.3),
        running(float("nan"), 2), Pause(0.3),
        running(250, 3), Pause(0.3),
        running(30, 4),  # after 250 (shown as 100): the bar must not fall back
        Pause()])
    expect_live(page, "100%", "Generating scene 4")
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("aria-valuenow", "100")
    page.wait_for_function(  # the fill, as drawn, spans the whole bar
        """() => {
            const bar = document.querySelector('[data-testid="progress-bar"]');
            const fill = bar.querySelector('.aurora-bar-fill');
            return fill.getBoundingClientRect().width >= bar.getBoundingClientRect().width - 1;
        }""")
    bar = read_trace(page)["bar"]
    assert all(0 <= value <= 100 for value in bar), bar
    assert bar == sorted(bar), f"the bar went back: {bar}"
    assert 40 in bar, f"the in-range update was not shown: {bar}"


def test_unknown_stages_are_listed_with_their_display_text(
        page: Page, app: AppProcess, peer: Peer) -> None:
    watch_job(page, app, peer, [
        SendUpdate(status="processing", progress=62, current_stage="upscale_4k_running",
                   current_stage_display="Upscaling to 4K",
                   stages_completed=[{"name": "safety_check", "display_name": "Safety checked"}],
                   stages_pending=[{"name": "watermark", "display_name": "Watermark"},
                                   {"name": "lipsync", "display_name": ""}]),
        Pause(0.3),
        SendUpdate(current_stage="colour_grading", current_stage_display=""),
        Pause()])
    # a stage with no display text is shown by its name rather than as a blank
    expect_live(page, "62%", "colour_grading")
    rows = page.get_by_test_id("stage-item")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_text("Safety checked")
    expect(rows.nth(0)).to_have_attribute("data-state", "completed")
    expect(rows.nth(1)).to_have_text("colour_grading")
    expect(rows.nth(1)).to_have_attribute("data-state", "current")
    expect(rows.nth(2)).to_have_text("Watermark")
    expect(rows.nth(2)).to_have_attribute("data-state", "pending")
    assert "Upscaling to 4K" in seen_texts(page, "current-stage")


def test_done_without_an_update_completes_and_opens_the_workspace(
        page: Page, app: AppProcess, peer: Peer) -> None:
    job_id = watch_job(page, app, peer, [SendDone("completed")])
    page.wait_for_url(f"**/workspace/{job_id}")
    expect(page.get_by_test_id("job-prompt")).to_have_text(PROMPT)
    expect(page.get_by_text("The backend lists no video for this job.")).to_be_visible()


def test_done_failed_without_an_update_fails_and_keeps_the_prompt(
        page: Page, app: AppProcess, peer: Peer) -> None:
    watch_job(page, app, peer, [SendDone("failed")])
    expect(page.get_by_test_id("error-message")).to_have_text("Generation failed")
    expect(page.get_by_test_id("cancel-button")).to_be_hidden()
    page.get_by_test_id("try-again-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)


def test_a_stream_that_ends_without_done_twice_reconnects_then_resumes(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.retry_ms = None
    job_id = watch_job(page, app, peer, [running(30, 2), Drop(), Drop(), running(55, 3), Pause()])
    expect_live(page, "55%", "Generating scene 3")
    assert seen_texts(page, "connection-status") == [
        "Connection lost, reconnecting (attempt 1 of 3)",
        "Connection lost, reconnecting (attempt 2 of 3)"]
    assert seen_texts(page, "progress-percent") == ["0%", "30%", "55%"]
    ids = peer.last_event_ids(job_id)
    assert len(ids) == 3
    assert None not in ids[1:]  # each reconnection resumed where the stream stopped


def test_a_silent_stream_is_dropped_after_the_read_timeout_and_resumes(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.retry_ms = None
    job_id = watch_job(page, app, peer, [running(30, 2), Silence(60), running(60, 4), Pause()])
    job = peer.jobs[job_id]
    expect_live(page, "60%", "Generating scene 4")
    assert seen_texts(page, "connection-status") == [
        "Connection lost, reconnecting (attempt 1 of 3)"]
    peer.wait_until(lambda: job.open_streams == 1)  # the silent one was closed by the dashboard
    assert job.streams_opened == 2


def test_a_job_the_backend_does_not_know_is_a_clear_message(
        page: Page, app: AppProcess, peer: Peer) -> None:
    page.goto(f"{app.base_url}/?job=vanished-job")
    expect_toast(page, "Job vanished-job not found")
    expect(page).to_have_url(f"{app.base_url}/")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    page.get_by_test_id("prompt-input").fill(PROMPT)
    expect(page.get_by_test_id("generate-button")).to_be_enabled()


def test_a_stream_answering_404_fails_at_once_with_a_clear_message(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.queue_reply("progress", Reply(404, {"detail": "Job not found"}))
    job_id = watch_job(page, app, peer, [running(10, 1), Pause()])
    expect(page.get_by_test_id("connection-status")) \
        .to_have_text(f"Connection failed: Job {job_id} not found")
    expect(page.get_by_test_id("retry-button")).to_be_visible()
    assert seen_texts(page, "connection-status") == [f"Connection failed: Job {job_id} not found"]
    page.get_by_test_id("retry-button").click()  # the job is back: Retry follows it
    expect_live(page, "10%", "Generating scene 1")
    assert len(peer.last_event_ids(job_id)) == 2  # one 404, no reconnection loop, one retry

