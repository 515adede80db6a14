"""A backend's odd values, watched in a browser: nulls, missing fields, wrong types, bad rows.

Whatever one field or row holds, ``/jobs`` shows every job it can read, the workspace shows
what it has, the dialog keeps working and the toasts still come; the package's checks make
sure no page shows an error trace and the app logs no traceback.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import expect_toast, job_card, job_toast, start_job
from testkit.peer import OMIT, Pause, Peer, SendDone, SendUpdate

# Every optional field of a job's summary and detail.
OPTIONAL = ["progress", "prompt", "duration", "aspect_ratio", "style", "current_stage",
            "current_stage_display", "created_at", "updated_at", "error", "stages_completed",
            "stages_pending", "estimated_time_remaining", "assets", "script"]


def every_optional(value: Any) -> dict[str, Any]:
    """Each optional field set to ``value`` (``None`` for null, ``OMIT`` to leave it out)."""
    return dict.fromkeys(OPTIONAL, value)


def test_a_listing_with_null_in_each_optional_field_shows_every_job(
        page: Page, app: AppProcess, peer: Peer) -> None:
    for field in OPTIONAL:
        null: dict[str, Any] = {field: None}
        peer.add_job(f"null-{field}".replace("_", "-"), status="completed", **null)
    peer.add_job("all-null", status="failed", **every_optional(None))
    peer.add_job("all-missing", status="completed", **every_optional(OMIT))
    peer.add_job("running-null", status="processing", **every_optional(None))
    page.goto(app.base_url + "/jobs")
    expect(page.get_by_test_id("job-card")).to_have_count(len(OPTIONAL) + 3)
    bare = job_card(page, "all-null")
    expect(bare.get_by_test_id("job-card-prompt")).to_have_text("Untitled video")
    expect(bare.get_by_test_id("error-message")).to_have_text("Generation failed")
    expect(job_card(page, "null-style")).to_contain_text("15 s · 16:9")
    expect(job_card(page, "null-duration")).not_to_contain_text(" s ·")
    expect(job_card(page, "running-null").get_by_test_id("job-card-status")).to_have_text(
        "Running")
    for text in page.get_by_test_id("job-card").all_inner_texts():
        assert "None" not in text, text
    expect(page.get_by_test_id("jobs-stale")).to_be_hidden()


def test_a_listing_with_unreadable_rows_shows_the_others_and_a_new_job_appears(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.odd_rows = [{"job_id": "no-status"}, "not a job", None, {"job_id": 7, "status": 3},
                     {"job_id": "bad id!", "status": "completed"}]
    peer.add_job("older", status="completed", progress="all of it", duration="long")
    peer.add_job("newer", status="failed", created_at="yesterday", stages_completed="none")
    page.goto(app.base_url + "/jobs")
    expect(page.get_by_test_id("job-card")).to_have_count(2)
    expect(job_card(page, "older")).to_be_visible()
    expect(job_card(page, "newer")).to_be_visible()
    peer.add_job("created-later", status="pending", prompt="A heron at dusk", style=None)
    expect(job_card(page, "created-later").get_by_test_id("job-card-prompt")).to_have_text(
        "A heron at dusk")
    expect(page.get_by_test_id("job-card")).to_have_count(3)


@pytest.mark.parametrize("how", [None, OMIT], ids=["null", "missing"])
def test_the_workspace_of_a_job_with_nothing_optional_shows_what_it_has(
        page: Page, app: AppProcess, peer: Peer, how: Any) -> None:
    peer.add_job("bare", status="completed", **every_optional(how))
    page.goto(app.base_url + "/workspace/bare")
    expect(page.get_by_test_id("job-prompt")).to_have_text("Untitled video")
    details = page.get_by_test_id("job-details")
    expect(details).to_contain_text("Completed")
    expect(details).to_contain_text("Duration—")
    expect(details).to_contain_text("Aspect ratio—")
    expect(page.get_by_test_id("full-prompt")).to_have_text("—")
    expect(page.get_by_text("The backend lists no video for this job.")).to_be_visible()
    expect(page.get_by_test_id("generate-again-button")).to_be_visible()


def test_the_workspace_shows_the_assets_it_can_read_among_null_ones(
        page: Page, app: AppProcess, peer: Peer) -> None:
    video = {"url": f"{peer.url}/files/final.mp4", "scene_number": None, "created_at": None}
    thumbnails = [{"url": None}, {"url": f"{peer.url}/files/t1.jpg", "scene_number": None,
                                  "created_at": None}, "not an asset"]
    peer.add_job("some-assets", status="completed", duration=15, prompt="A kite", style=None,
                 script=[None, "A kite rises", 3],
                 assets={"scene_clips": None, "thumbnails": thumbnails, "audio": None,
                         "final_video": video})
    page.goto(app.base_url + "/workspace/some-assets")
    expect(page.get_by_test_id("job-prompt")).to_have_text("A kite")
    expect(page.get_by_test_id("final-video")).to_be_visible()
    expect(page.get_by_test_id("scene-thumbnail")).to_have_count(1)
    expect(page.get_by_test_id("script-line")).to_have_text(["A kite rises"])
    expect(page.get_by_test_id("job-details")).to_contain_text("Style—")


def test_the_dialog_keeps_working_through_updates_with_nulls_and_ends_with_a_toast(
        page: Page, app: AppProcess, peer: Peer) -> None:
    prompt = "A lighthouse in a storm"
    peer.new_job_steps = [
        SendUpdate(status="processing", **every_optional(None)),
        Pause(0.3),
        SendUpdate(progress=50, current_stage="scene_2_generating",
                   current_stage_display=None,
                   stages_completed=[{"name": "script", "display_name": None}, None,
                                     {"display_name": "nameless"}],
                   stages_pending=[{"name": "scene_3", "display_name": "Scene 3"}],
                   estimated_time_remaining=None, assets={"thumbnails": None}),
        Pause(0.3),
        SendUpdate(error=None, progress=None),
        Pause(0.3),
        SendDone("failed"),
    ]
    job_id = start_job(page, app.base_url, prompt)
    expect(page.get_by_test_id("error-message")).to_have_text("Generation failed")
    expect(page.get_by_test_id("progress-percent")).to_have_text("50%")
    rows = page.get_by_test_id("stage-item")
    expect(rows).to_have_text(["script", "scene_2_generating", "Scene 3"])
    expect(page.get_by_test_id("prompt-input")).to_have_value(prompt)
    expect(job_toast(page, job_id)).to_be_visible()
    expect_toast(page, "Generation failed")


def test_a_job_that_ends_with_null_fields_in_the_listing_gets_its_toast(
        page: Page, app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("quiet", [Pause()], status="processing", **every_optional(None))
    page.goto(app.base_url + "/jobs")
    expect(job_card(page, "quiet")).to_be_visible()
    job.state.update(status="completed")  # the next listing says so; the stream stays quiet
    expect(job_toast(page, "quiet")).to_contain_text("Video ready")
