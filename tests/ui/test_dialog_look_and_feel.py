"""How the dialog behaves as a whole: it does not close by accident, and it moves as asked."""

from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import VIEWPORT
from testkit.peer import Pause, Peer, SendUpdate

RUNNING = SendUpdate(
    status="processing", progress=40, current_stage="scene_1_generating",
    current_stage_display="Generating scene 1",
    stages_completed=[{"name": "script", "display_name": "Script ready"}],
    stages_pending=[{"name": "scene_2", "display_name": "Scene 2"}])
STYLES = """() => {
    const style = (selector, pseudo) => getComputedStyle(document.querySelector(selector), pseudo);
    return {
        bar: style('.aurora-bar-fill').transition,
        spinner: ['animationName', 'animationTimingFunction'].map(
            (name) => style('[data-state=current] .aurora-stage-icon', '::before')[name]).join(' '),
        tick: style('[data-state=completed] .aurora-stage-icon').animationName,
        overlay: style('.aurora-overlay').backdropFilter,
    };
}"""


def test_escape_and_a_click_beside_the_card_do_not_close_it(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    job = peer.add_job("persistent", [RUNNING, Pause()])
    page.goto(f"{peer_app.base_url}/?job=persistent")
    expect(page.get_by_test_id("progress-percent")).to_have_text("40%")
    page.keyboard.press("Escape")
    page.mouse.click(20, 20)
    page.mouse.click(1260, 840)
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    expect(page.get_by_test_id("progress-percent")).to_have_text("40%")
    assert job.open_streams == 1


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_animations_follow_the_motion_preference(
        browser: Any, peer_app: AppProcess, peer: Peer, motion: str) -> None:
    peer.add_job("look", [RUNNING, Pause()])
    context = browser.new_context(viewport=VIEWPORT, reduced_motion=motion)
    page = context.new_page()
    try:
        page.goto(f"{peer_app.base_url}/?job=look")
        expect(page.get_by_test_id("progress-percent")).to_have_text("40%")
        styles = page.evaluate(STYLES)
    finally:
        context.close()
    if motion == "reduce":
        assert styles == {"bar": "none", "spinner": "none ease", "tick": "none", "overlay": "none"}
    else:
        # what runs while a job runs moves in steps, so the browser draws only when a step shows
        assert styles == {"bar": "transform 0.5s steps(5, jump-start)",
                          "spinner": "aurora-spinner steps(2)",
                          "tick": "aurora-checkmark-pop", "overlay": "none"}


# A tab put in the background, as the browser tells the page (headless Chromium shows every tab).
SET_VISIBILITY = """(state) => {
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
    document.dispatchEvent(new Event('visibilitychange'));
}"""
RUNNING_ANIMATIONS = """() => document.getAnimations()
    .filter((animation) => animation.playState === 'running').length"""


def test_a_hidden_tab_runs_no_animation_and_picks_up_when_shown(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.add_job("hidden", [RUNNING, Pause()])
    page.goto(f"{peer_app.base_url}/?job=hidden")
    expect(page.get_by_test_id("progress-percent")).to_have_text("40%")
    assert page.evaluate(RUNNING_ANIMATIONS) > 0  # the current stage's spinner

    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_function(f"() => ({RUNNING_ANIMATIONS})() === 0")

    page.evaluate(SET_VISIBILITY, "visible")
    page.wait_for_function(f"() => ({RUNNING_ANIMATIONS})() > 0")


# Every title the tab has shown, with when (ms): the browser's own record, read by the test.
TITLE_CHANGES = """(() => {
  window.auroraTitles = [];
  new MutationObserver(() => {
    const last = window.auroraTitles.at(-1);
    if (!last || last[1] !== document.title) {
      window.auroraTitles.push([performance.now(), document.title]);
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();"""


def test_quick_updates_retitle_the_tab_at_most_once_a_second_and_end_on_the_last(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    quick = [step for percent in range(1, 41) for step in (
        SendUpdate(status="processing", progress=percent, current_stage="scene_1_generating",
                   current_stage_display=f"Generating scene {percent}"), Pause(0.05))]
    peer.add_job("retitled", [*quick, Pause()])
    page.add_init_script(TITLE_CHANGES)
    page.goto(f"{peer_app.base_url}/?job=retitled")

    expect(page).to_have_title("40% · Generating scene 40 · Aurora Studio")
    shown = [(at, title) for at, title in page.evaluate("window.auroraTitles") if "%" in title]
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(shown)]
    assert len(shown) >= 2, shown  # 40 updates in 2 s: more than one title...
    assert min(gaps) >= 250, shown  # ...one a second (delivery may bunch two), not one an update
