"""How the workspace and the dialog look, measured in the browser as a user would see them.

The peer serves real pictures and a real clip, so sizes come from the page's own layout: the
video on a phone, a very long prompt, portrait thumbnails, and a connection that gave up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import FloatRect, Locator, Page, expect

from testkit.app_process import AppProcess
from testkit.media import write_clip
from testkit.peer import Drop, Peer, Reply, SendUpdate, play_next, waiting

# (width, height) of each viewport the workspace must look right at
PHONE, SMALL_TABLET, TABLET, DESKTOP = (390, 844), (600, 900), (768, 1024), (1280, 860)
LANDSCAPE, PORTRAIT = (320, 180), (180, 320)  # the test pictures' sizes

# How each scene thumbnail is drawn: its box, its picture's own size and how it is fitted in.
THUMBNAILS = """() => [...document.querySelectorAll('[data-testid=scene-thumbnail]')]
    .map((img) => ({fit: getComputedStyle(img).objectFit, box: [img.clientWidth, img.clientHeight],
                    natural: [img.naturalWidth, img.naturalHeight]}))"""
# The running animations of the current stage's mark (the spinner is its ::before).
SPINNER_ANIMATIONS = """() => document.getAnimations()
    .filter(({effect}) => effect.pseudoElement === '::before'
        && effect.target.closest('[data-state=current]'))
    .filter((animation) => animation.playState === 'running')
    .map((animation) => animation.animationName)"""
LONG_PROMPT = ("A lighthouse on a cliff in a storm, waves crashing on the rocks. " * 31)[:1990]


@pytest.fixture
def media(peer: Peer, tmp_path: Path) -> None:
    """A landscape and a portrait picture and a one-second 16:9 clip, served by the peer."""
    Image.new("RGB", LANDSCAPE, (180, 76, 255)).save(tmp_path / "landscape.png")
    Image.new("RGB", PORTRAIT, (124, 255, 0)).save(tmp_path / "portrait.png")
    write_clip(tmp_path / "clip.mp4", width=160, height=90, frames=12, fps=12)
    for name in ("landscape.png", "portrait.png", "clip.mp4"):
        peer.files[name] = tmp_path / name


def asset(name: str, scene: int | None = None) -> dict[str, Any]:
    """An asset the peer serves from its ``files``."""
    return {"url": f"/files/{name}", "scene_number": scene, "created_at": 1}


def finished_job(peer: Peer, job_id: str, *, pictures: list[str], **state: Any) -> None:
    """A completed job: the clip as its video and as each scene's, ``pictures`` as thumbnails."""
    scenes = range(1, len(pictures) + 1)
    peer.add_job(job_id, status="completed", progress=100, current_stage="complete",
                 current_stage_display="Complete", script=[f"Shot {k}" for k in scenes],
                 assets={"final_video": asset("clip.mp4"),
                         "scene_clips": [asset("clip.mp4", k) for k in scenes],
                         "thumbnails": [asset(name, k) for k, name in enumerate(pictures, 1)]},
                 **state)


def open_workspace(page: Page, app: AppProcess, job_id: str, size: tuple[int, int]) -> None:
    """The job's workspace at ``size``, its video's first frame and its pictures loaded."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app.base_url}/workspace/{job_id}")
    page.wait_for_function("""() => {
        const video = document.querySelector('[data-testid=final-video]');
        const pictures = [...document.querySelectorAll('[data-testid=scene-thumbnail]')];
        return video && video.readyState >= 1 && pictures.length > 0
            && pictures.every((picture) => picture.complete && picture.naturalWidth > 0);
    }""")


def box(locator: Locator) -> FloatRect:
    """Where ``locator`` is drawn, in CSS pixels."""
    drawn = locator.bounding_box()
    assert drawn is not None, f"{locator} is not drawn"
    return drawn


def video_and_details(page: Page) -> tuple[FloatRect, FloatRect]:
    """Where the final video and the *Details* card are drawn."""
    return box(page.get_by_test_id("final-video")), box(page.get_by_test_id("job-details"))


def drawn_picture(thumbnail: dict[str, Any]) -> tuple[float, float]:
    """The size a thumbnail's picture is drawn at in its box, by its ``object-fit``."""
    (width, height), (natural_width, natural_height) = thumbnail["box"], thumbnail["natural"]
    scales = (width / natural_width, height / natural_height)
    scale = max(scales) if thumbnail["fit"] == "cover" else min(scales)
    assert thumbnail["fit"] in ("cover", "contain"), thumbnail
    return natural_width * scale, natural_height * scale


@pytest.mark.parametrize("size", [PHONE, SMALL_TABLET, TABLET], ids=["390", "600", "768"])
def test_below_1024_px_the_video_comes_first_full_width_then_the_details(
        page: Page, peer_app: AppProcess, peer: Peer, media: None, size: tuple[int, int]) -> None:
    finished_job(peer, "narrow", pictures=["landscape.png"] * 4, duration=60)
    open_workspace(page, peer_app, "narrow", size)
    video, details = video_and_details(page)
    clip = box(page.locator("[data-testid=scene-card] video").first)
    assert video["width"] >= 0.85 * size[0]
    assert video["width"] == pytest.approx(details["width"], abs=1)
    assert video["y"] + video["height"] <= details["y"]
    assert video["width"] >= clip["width"]  # never smaller than a scene's clip under it
    assert box(page.get_by_test_id("scene-thumbnail").first)["width"] >= 50
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]  # no sideways scroll


def test_from_1024_px_the_details_sit_beside_the_video(
        page: Page, peer_app: AppProcess, peer: Peer, media: None) -> None:
    finished_job(peer, "wide", pictures=["landscape.png"] * 3)
    open_workspace(page, peer_app, "wide", DESKTOP)
    video, details = video_and_details(page)
    assert video["x"] + video["width"] < details["x"]
    assert video["y"] == pytest.approx(details["y"], abs=1)
    assert video["width"] > 1.5 * details["width"]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_long_prompt_is_clamped_in_the_title_and_shown_whole_in_the_details(
        page: Page, peer_app: AppProcess, peer: Peer, media: None, size: tuple[int, int]) -> None:
    prompt = f"{LONG_PROMPT}\n<b>not bold</b>"
    finished_job(peer, "long", pictures=["landscape.png"], prompt=prompt)
    open_workspace(page, peer_app, "long", size)
    title = page.get_by_test_id("job-prompt")
    line_height = float(title.evaluate("(title) => parseFloat(getComputedStyle(title).lineHeight)"))
    assert box(title)["height"] <= 3 * line_height + 1
    assert title.get_attribute("title") == prompt
    assert title.evaluate("(title) => title.textContent") == prompt
    full = page.get_by_test_id("full-prompt")
    assert full.evaluate("(full) => full.textContent") == prompt  # as text, line break kept
    expect(full.locator("b")).to_have_count(0)
    full.scroll_into_view_if_needed()
    expect(full).to_be_visible()
    assert box(page.get_by_test_id("final-video"))["y"] < size[1] / 2  # in view at once


def test_portrait_thumbnails_show_whole_and_landscape_ones_fill_their_tiles(
        page: Page, peer_app: AppProcess, peer: Peer, media: None) -> None:
    finished_job(peer, "mixed", pictures=["portrait.png", "landscape.png"])
    open_workspace(page, peer_app, "mixed", DESKTOP)
    portrait, landscape = page.evaluate(THUMBNAILS)
    assert_whole(portrait)
    assert drawn_picture(landscape) == pytest.approx(tuple(landscape["box"]), abs=1.5)


def test_portrait_thumbnails_show_whole_in_the_dialog(
        page: Page, peer_app: AppProcess, peer: Peer, media: None) -> None:
    peer.add_job("tall", [SendUpdate(
        status="processing", progress=50, current_stage="scene_3_generating",
        current_stage_display="Generating scene 3", aspect_ratio="9:16",
        assets={"scene_clips": [], "thumbnails": [asset("portrait.png", 1),
                                                  asset("portrait.png", 2)]}), *waiting()])
    page.goto(f"{peer_app.base_url}/?job=tall")
    expect(page.get_by_test_id("scene-thumbnail")).to_have_count(2)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=scene-thumbnail]')]
        .every((picture) => picture.complete && picture.naturalWidth > 0)""")
    for thumbnail in page.evaluate(THUMBNAILS):
        assert_whole(thumbnail)


def assert_whole(thumbnail: dict[str, Any]) -> None:
    """The thumbnail's picture is drawn whole, uncropped, and as large as its box allows."""
    width, height = drawn_picture(thumbnail)
    box_width, box_height = thumbnail["box"]
    assert width <= box_width + 0.5, thumbnail
    assert height <= box_height + 0.5, thumbnail
    assert height == pytest.approx(box_height, abs=1), thumbnail  # a portrait fills its height


def test_a_failed_connection_stops_the_spinner_and_retry_starts_it_again(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    peer.retry_ms = None
    job = peer.add_job("stalls", [SendUpdate(
        status="processing", progress=30, current_stage="scene_3_generating",
        current_stage_display="Generating scene 3",
        stages_completed=[{"name": "script", "display_name": "Script ready"}],
        stages_pending=[{"name": "scene_4", "display_name": "Scene 4"}]), *waiting()])
    page.goto(f"{peer_app.base_url}/?job=stalls")
    current = page.locator("[data-testid=stage-item][data-state=current]")
    expect(current).to_have_text("Generating scene 3")
    assert page.evaluate(SPINNER_ANIMATIONS) == ["aurora-spinner"]
    for _ in range(3):  # every retry of the stream is refused
        peer.queue_reply("progress", Reply(502, {"detail": "Bad gateway"}))
    play_next(job, Drop(), SendUpdate())  # after the refusals, Retry's stream resumes
    expect(page.get_by_test_id("connection-status")).to_contain_text("Connection failed")
    expect(current).to_have_text("Generating scene 3")  # the row stays, its mark stands still
    assert page.evaluate(SPINNER_ANIMATIONS) == []
    page.get_by_test_id("retry-button").click()
    expect(page.get_by_test_id("connection-status")).to_be_hidden()
    page.wait_for_function(f"() => ({SPINNER_ANIMATIONS})().length === 1")
