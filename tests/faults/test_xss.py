"""User text and backend messages with markup show as literal text everywhere, and nothing runs:
on ``/`` (form, toasts, the progress dialog), on the workspace, and on ``/jobs`` (cards, dialog).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import expect_toast, fill_form, seen_texts
from testkit.peer import Pause, Peer, Reply, SendDone, SendUpdate

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
STYLE = "<b onmouseover=alert(1)>bold</b>"

# Elements the markup would have made, had it been parsed as HTML anywhere in the page.
PARSED_MARKUP = """() => [
    ...document.querySelectorAll('img[src="x"], b[onmouseover]'),
    ...[...document.scripts].filter((script) => script.textContent.trim() === 'alert(1)'),
].length"""


def expect_inert(page: Page) -> None:
    """None of the markup became an element (no JS dialog opened: the fixture checks that)."""
    assert page.evaluate(PARSED_MARKUP) == 0, f"markup was parsed as HTML on {page.url}"


def test_markup_in_prompts_and_backend_messages_is_shown_as_text(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.queue_reply("generate", Reply.invalid("prompt", f"Refused: {IMG}"))
    peer.new_job_steps = [
        SendUpdate(status="processing", progress=40, current_stage="scene_2_generating",
                   current_stage_display=IMG,
                   stages_completed=[{"name": "script", "display_name": SCRIPT}]),
        Pause(0.3),
        SendUpdate(status="failed", error=SCRIPT), SendDone("failed")]
    page.goto(app.base_url + "/")
    fill_form(page, IMG, style=STYLE)
    page.get_by_test_id("generate-button").click()
    expect_toast(page, f"Invalid prompt: Refused: {IMG}")
    expect_inert(page)

    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("error-message")).to_have_text(SCRIPT)
    expect(page.get_by_test_id("stage-item").first).to_have_text(SCRIPT)
    assert IMG in seen_texts(page, "current-stage")
    expect_inert(page)
    job_id = page.url.rsplit("job=", 1)[1]
    expect_toast(page, f"Generation failed: {SCRIPT}")  # the job-ended toast, prompt included
    expect_toast(page, IMG)
    page.get_by_test_id("close-button").click()
    expect(page.get_by_test_id("prompt-input")).to_have_value(IMG)
    expect(page.get_by_test_id("style-input")).to_have_value(STYLE)

    page.goto(f"{app.base_url}/workspace/{job_id}")
    expect(page.get_by_test_id("job-prompt")).to_have_text(IMG)
    expect(page.get_by_test_id("error-message")).to_have_text(SCRIPT)
    expect(page.get_by_text(STYLE, exact=True)).to_be_visible()
    page.get_by_text(STYLE, exact=True).hover()
    expect_inert(page)

    page.get_by_test_id("generate-again-button").click()
    expect(page.get_by_test_id("prompt-input")).to_have_value(IMG)
    expect_inert(page)

    page.goto(f"{app.base_url}/jobs")
    card = page.locator(f'[data-testid=job-card][data-job-id="{job_id}"]')
    expect(card.get_by_test_id("job-card-prompt")).to_have_text(IMG)
    expect(card.get_by_test_id("error-message")).to_have_text(SCRIPT)
    expect(card).to_contain_text(STYLE)
    expect_inert(page)
    page.goto(f"{app.base_url}/jobs?job={job_id}")
    expect(page.get_by_test_id("progress-dialog").get_by_test_id("error-message")) \
        .to_have_text(SCRIPT)
    expect_inert(page)
