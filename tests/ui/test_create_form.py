"""The Create form: refused input, backend refusals, and one job per click, seen from a browser."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess, free_port
from testkit.browser import fill_form
from testkit.peer import Pause, Peer, PeerServer, Reply, SendUpdate

PROMPT = "A lighthouse in a storm, waves crashing"


def generate_requests(peer: Peer) -> int:
    return sum(1 for seen in peer.requests if seen.path == "/api/v1/generate")


@pytest.mark.parametrize(("prompt", "style", "reason"), [
    ("   ", "", "Describe the video you want to make"),
    ("x" * 2001, "", "Keep the prompt to 2000 characters (it has 2001)"),
    (PROMPT, "s" * 65, "Keep the style to 64 characters (it has 65)"),
])
def test_invalid_input_is_refused_on_the_page_with_the_reason(
        page: Page, peer_app: AppProcess, peer: Peer, prompt: str, style: str, reason: str) -> None:
    page.goto(peer_app.base_url + "/")
    fill_form(page, prompt, style=style)
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    assert generate_requests(peer) == 0


@pytest.mark.parametrize(("reply", "toast"), [
    (Reply.invalid("prompt", "Prompt mentions a trademark"),
     "Invalid prompt: Prompt mentions a trademark"),
    (Reply.overloaded(retry_after=30), "The backend is busy; try again in 30 s"),
    (Reply(500, {"detail": "Renderer crashed"}), "The backend failed (500): Renderer crashed"),
], ids=["422", "429", "500"])
def test_a_backend_refusal_is_a_toast_and_the_form_keeps_its_input(
        page: Page, peer_app: AppProcess, peer: Peer, reply: Reply, toast: str) -> None:
    peer.queue_reply("generate", reply)
    page.goto(peer_app.base_url + "/")
    fill_form(page, PROMPT, duration=60, aspect="9:16", style="noir")
    page.get_by_test_id("generate-button").click()
    expect(page.locator(".q-notification").filter(has_text=toast)).to_be_visible()
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)
    expect(page.get_by_test_id("duration-select")).to_contain_text("60 seconds")
    expect(page.get_by_test_id("aspect-select")).to_contain_text("9:16")
    expect(page.get_by_test_id("style-input")).to_have_value("noir")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.get_by_test_id("generate-button")).to_be_enabled()


@pytest.fixture(scope="module")
def unreachable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """A dashboard whose backend URL has nothing listening."""
    app = AppProcess(tmp_path_factory.mktemp("unreachable") / "data",
                     api_url=f"http://127.0.0.1:{free_port()}").start()
    yield app
    app.stop()


def test_an_unreachable_backend_is_a_toast_and_the_form_keeps_its_input(
        page: Page, unreachable_app: AppProcess) -> None:
    page.goto(unreachable_app.base_url + "/")
    fill_form(page, PROMPT)
    page.get_by_test_id("generate-button").click()
    expect(page.locator(".q-notification")).to_contain_text("Cannot reach the backend")
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT)


def test_jobs_says_its_list_may_be_out_of_date_while_the_backend_cannot_be_reached(
        page: Page, unreachable_app: AppProcess) -> None:
    page.goto(unreachable_app.base_url + "/jobs")
    expect(page.get_by_test_id("jobs-stale")).to_contain_text(
        "The job list may be out of date: Cannot reach the backend at http://127.0.0.1:")


def test_a_double_click_starts_one_job(page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("slow-start", [SendUpdate(status="processing", progress=5), Pause()])
    peer.queue_reply("generate", Reply(202, {"job_id": "slow-start", "status": "pending"},
                                       delay=0.8))
    page.goto(peer_app.base_url + "/")
    fill_form(page, PROMPT)
    button = page.get_by_test_id("generate-button")
    button.dblclick()
    button.click(force=True)
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    expect(page.get_by_test_id("progress-percent")).to_have_text("5%")
    assert generate_requests(peer) == 1


@pytest.fixture(scope="module")
def portrait_minute_app(peer_server: PeerServer, tmp_path_factory: pytest.TempPathFactory
                        ) -> Iterator[AppProcess]:
    """A dashboard whose settings make new jobs a minute long and portrait by default."""
    app = AppProcess(tmp_path_factory.mktemp("defaults") / "data",
                     api_url=peer_server.url,
                     env={"AURORA_DEFAULT_DURATION": "60",
                          "AURORA_DEFAULT_ASPECT_RATIO": "9:16"}).start()
    yield app
    app.stop()


def test_the_form_starts_with_the_default_duration_and_aspect_ratio(
        page: Page, peer_app: AppProcess) -> None:
    page.goto(peer_app.base_url + "/")
    expect(page.get_by_test_id("duration-select")).to_contain_text("15 seconds")
    expect(page.get_by_test_id("aspect-select")).to_contain_text("16:9 · Landscape")


def test_the_settings_choose_what_the_form_starts_with(
        page: Page, portrait_minute_app: AppProcess, peer: Peer) -> None:
    page.goto(portrait_minute_app.base_url + "/")
    expect(page.get_by_test_id("duration-select")).to_contain_text("60 seconds")
    expect(page.get_by_test_id("aspect-select")).to_contain_text("9:16 · Portrait")
    fill_form(page, PROMPT)
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    (job,) = peer.jobs.values()
    assert (job.state["duration"], job.state["aspect_ratio"]) == (60, "9:16")


@pytest.mark.parametrize("keys", ["Control+Enter", "Meta+Enter"])
def test_ctrl_enter_in_the_prompt_generates(
        page: Page, peer_app: AppProcess, peer: Peer, keys: str) -> None:
    page.goto(peer_app.base_url + "/")
    fill_form(page, PROMPT)
    page.get_by_test_id("prompt-input").press("Enter")  # a plain Enter is a new line
    expect(page.get_by_test_id("prompt-input")).to_have_value(PROMPT + "\n")
    page.get_by_test_id("prompt-input").press(keys)
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    assert generate_requests(peer) == 1
