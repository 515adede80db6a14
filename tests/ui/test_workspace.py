"""The workspace page against the peer: not found, a running job, and *Generate again*."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.peer import Pause, Peer, SendDone, SendUpdate

DONE: dict[str, Any] = {"status": "completed", "progress": 100, "current_stage": "complete",
        "current_stage_display": "Complete", "estimated_time_remaining": 0}


@pytest.mark.parametrize("job_id",
                         ["no-such-job", "bad$id", "x" * 65, "<img src=x onerror=alert(1)>",
                          "a/b"],
                         ids=["unknown", "bad-character", "too-long", "markup", "slash"])
def test_an_unknown_or_malformed_id_gets_a_clear_not_found_page(
        page: Page, peer_app: AppProcess, peer: Peer, job_id: str) -> None:
    response = page.goto(f"{peer_app.base_url}/workspace/{job_id}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("Video not found")
    expect(page.get_by_test_id("not-found")).to_contain_text(job_id[:80])  # as text, not markup
    expect(page.get_by_test_id("create-link")).to_have_attribute("href", "/")
    asked = [seen.path for seen in peer.requests if seen.path.startswith("/api/v1/jobs/")]
    assert asked == (["/api/v1/jobs/no-such-job"] if job_id == "no-such-job" else [])


def test_a_running_job_shows_its_live_progress_then_its_result(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("running", [
        SendUpdate(status="processing", progress=50, current_stage="scene_2_generating",
                   current_stage_display="Generating scene 2"),
        Pause(1.0), SendUpdate(**DONE), SendDone("completed")])
    page.goto(f"{peer_app.base_url}/workspace/running")
    expect(page.get_by_test_id("progress-percent")).to_have_text("50%")
    expect(page.get_by_test_id("current-stage")).to_have_text("Generating scene 2")
    expect(page.get_by_text("Details")).to_be_visible()  # reloaded as a finished job
    expect(page.get_by_test_id("progress-bar")).to_have_count(0)


def test_generate_again_opens_create_with_the_prompt_and_settings(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("earlier", prompt="Northern lights over a frozen lake", duration=60,
                 aspect_ratio="1:1", style="dreamy", **DONE)
    page.goto(f"{peer_app.base_url}/workspace/earlier")
    expect(page.get_by_test_id("job-prompt")).to_have_text("Northern lights over a frozen lake")
    page.get_by_test_id("generate-again-button").click()
    expect(page.get_by_test_id("prompt-input")).to_have_value("Northern lights over a frozen lake")
    expect(page.get_by_test_id("duration-select")).to_contain_text("60 seconds")
    expect(page.get_by_test_id("aspect-select")).to_contain_text("1:1")
    expect(page.get_by_test_id("style-input")).to_have_value("dreamy")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
