"""Backends that refuse, that are down at start-up, that keep only the original spec, that want
a token: the dashboard says what is wrong, keeps what the user typed, and works once it can.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from testkit.app_process import AppProcess
from testkit.browser import expect_toast, fill_form, job_card, relayed_url, start_job
from testkit.peer import Pause, Peer, PeerServer, Reply, SendDone, SendUpdate, contract_run
from testkit.relay import Relay
from testkit.trouble import LogWatch

PROMPT = "A glass city under a green aurora"
RUNNING = {"status": "processing", "current_stage": "scene_1_generating",
           "current_stage_display": "Generating scene 1"}


def expect_form_kept(page: Page) -> None:
    """Everything typed is still in the form, and it can be sent again."""
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)
    expect(page.get_by_test_id("duration-select")).to_contain_text("15 seconds")
    expect(page.get_by_test_id("aspect-select")).to_contain_text("1:1")
    expect(page.get_by_test_id("style-input")).to_have_value("watercolour")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.get_by_test_id("generate-button")).to_be_enabled()


def test_refusals_on_generate_are_toasts_the_form_is_kept_and_the_next_try_works(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.new_job_steps = [SendUpdate(progress=5, **RUNNING), Pause()]
    refusals = [(Reply.overloaded(retry_after=7), "The backend is busy; try again in 7 s"),
                (Reply.overloaded(status=503), "The backend is busy; try again in a moment"),
                (Reply(502, {"detail": "Upstream renderer unreachable"}),
                 "The backend failed (502): Upstream renderer unreachable")]
    page.goto(app.base_url + "/")
    fill_form(page, PROMPT, duration=15, aspect="1:1", style="watercolour")
    for reply, message in refusals:
        peer.queue_reply("generate", reply)
        page.get_by_test_id("generate-button").click()
        expect_toast(page, message)
        expect_form_kept(page)
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("progress-percent")).to_have_text("5%")
    (job,) = peer.jobs.values()
    assert (job.state["prompt"], job.state["duration"], job.state["aspect_ratio"],
            job.state["style"]) == (PROMPT, 15, "1:1", "watercolour")


@pytest.fixture
def relay(peer_server: PeerServer) -> Iterator[Relay]:
    """A way to the peer that starts down."""
    relay = Relay(urlsplit(peer_server.url).port or 80)
    yield relay
    relay.close()


@pytest.fixture
def app_behind_relay(relay: Relay, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[AppProcess]:
    """A dashboard started while its backend (the relay) is down."""
    app = AppProcess(tmp_path_factory.mktemp("down-app") / "data",
                     api_url=relay.url).start()
    watch = LogWatch(app)
    yield app
    app.stop()
    watch.check()


def test_a_backend_down_at_start_up_is_said_on_the_pages_which_work_once_it_is_back(
        context: BrowserContext, app_behind_relay: AppProcess, relay: Relay, peer: Peer) -> None:
    app = app_behind_relay
    peer.add_job("early", [SendUpdate(progress=30, **RUNNING), Pause()], prompt="An early job")
    peer.new_job_steps = [SendUpdate(progress=12, **RUNNING), Pause()]
    dialog_tab, page = context.new_page(), context.new_page()

    dialog_tab.goto(f"{app.base_url}/?job=early")
    page.goto(f"{app.base_url}/workspace/early")
    expect(page.get_by_text("The backend is not answering")).to_be_visible()
    expect(page.get_by_text(f"Cannot reach the backend at {relay.url}")).to_be_visible()
    page.goto(app.base_url + "/")
    expect(page.get_by_test_id("backend-status")) \
        .to_contain_text(f"Cannot reach the backend at {relay.url}")
    fill_form(page, PROMPT, duration=15, aspect="1:1", style="watercolour")
    page.get_by_test_id("generate-button").click()
    expect_toast(page, f"Cannot reach the backend at {relay.url}")
    expect_form_kept(page)
    expect(dialog_tab.get_by_test_id("connection-status")) \
        .to_have_text(f"Connection failed: Cannot reach the backend at {relay.url}")

    relay.up()
    expect(page.get_by_test_id("backend-status")).to_be_hidden()  # found back, unasked
    dialog_tab.get_by_test_id("retry-button").click()
    expect(dialog_tab.get_by_test_id("progress-percent")).to_have_text("30%")
    expect(dialog_tab.get_by_test_id("connection-status")).to_be_hidden()
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("progress-percent")).to_have_text("12%")
    page.goto(f"{app.base_url}/workspace/early")
    expect(page.get_by_test_id("job-prompt")).to_have_text("An early job")


def test_a_backend_with_only_the_original_spec_works_end_to_end(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.original_spec = True
    final = {"url": "/media/final.mp4", "created_at": 1}
    peer.new_job_steps = [*contract_run(3, pause=0.2)[:-1],
                          SendUpdate(assets={"scene_clips": [], "thumbnails": [],
                                             "final_video": final}),
                          SendDone("completed")]
    job_id = start_job(page, app.base_url, PROMPT, duration=15)
    expect(page.get_by_test_id("stage-item")).to_have_count(6)
    page.wait_for_url(f"**/workspace/{job_id}")
    final_video = page.get_by_test_id("final-video").get_attribute("src") or ""
    assert relayed_url(final_video) == f"{peer.url}/media/final.mp4"
    expect(page.get_by_test_id("job-prompt")).to_have_text(PROMPT)
    progress = [seen for seen in peer.requests if seen.path.endswith("/progress")]
    assert len(progress) == 1  # no keep-alives, no retry: and still not one reconnection


def test_a_failed_job_on_an_original_spec_backend_says_it_failed(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.original_spec = True
    peer.new_job_steps = [SendUpdate(progress=40, **RUNNING),
                          SendUpdate(status="failed", error="never sent"), SendDone("failed")]
    job_id = start_job(page, app.base_url, PROMPT)
    expect(page.get_by_test_id("error-message")).to_have_text("Generation failed")
    expect(page.get_by_test_id("try-again-button")).to_be_visible()
    expect(page.get_by_test_id("retry-job-button")).to_be_hidden()  # it has no retry to offer
    page.get_by_test_id("try-again-button").click()
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)
    page.goto(f"{app.base_url}/jobs")
    expect(job_card(page, job_id)).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("retry-job-button")).to_have_count(0)
    page.goto(f"{app.base_url}/workspace/{job_id}")
    expect(page.get_by_test_id("error-message")).to_be_visible()
    expect(page.get_by_test_id("retry-job-button")).to_have_count(0)


def test_the_api_token_goes_to_the_backend_as_a_bearer_token_and_never_to_the_page(
        page: Page, app: AppProcess, peer: Peer, api_token: str) -> None:
    peer.new_job_steps = [SendUpdate(progress=100, status="completed", current_stage="complete",
                                     current_stage_display="Complete"), SendDone("completed")]
    job_id = start_job(page, app.base_url, PROMPT)
    page.wait_for_url(f"**/workspace/{job_id}")
    expect(page.get_by_test_id("job-prompt")).to_have_text(PROMPT)
    paths = {seen.path for seen in peer.requests}
    assert {"/api/v1/generate", f"/api/v1/jobs/{job_id}",
            f"/api/v1/jobs/{job_id}/progress"} <= paths
    assert {seen.authorization for seen in peer.requests} == {f"Bearer {api_token}"}
    assert api_token not in page.content()
