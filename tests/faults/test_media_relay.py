"""Pictures and videos reach the browser through the dashboard, never from the backend itself.

The peer serves real files (a PNG, an H.264 MP4) at ``/files/{name}``; the dashboard, in
remote mode with a token, must show and play them while the browser only ever asks the
dashboard's origin, pass Range requests through byte for byte, fetch only what it signed
itself, and send its token to the backend's origin alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import relayed_url
from testkit.media import write_clip
from testkit.peer import Peer

LOADED = """() => {
    const video = document.querySelector('[data-testid=final-video]');
    const pictures = [...document.querySelectorAll('[data-testid=scene-thumbnail]')];
    return video !== null && video.readyState >= 2 && pictures.length > 0
        && pictures.every((picture) => picture.complete && picture.naturalWidth > 0);
}"""


@pytest.fixture
def files(peer: Peer, tmp_path: Path) -> dict[str, bytes]:
    """A thumbnail and a one-second clip, served by the peer; their bytes by name."""
    Image.new("RGB", (160, 90), (180, 76, 255)).save(tmp_path / "thumb.png")
    write_clip(tmp_path / "clip.mp4", width=64, height=64, frames=24, fps=24)
    for name in ("thumb.png", "clip.mp4"):
        peer.files[name] = tmp_path / name
    return {name: (tmp_path / name).read_bytes() for name in peer.files}


def finished_job(peer: Peer, job_id: str, thumbnails: list[str], *,
                 video: str = "/files/clip.mp4") -> None:
    """A completed job whose video and clip are at ``video``."""
    peer.add_job(job_id, status="completed", progress=100, current_stage="complete",
                 current_stage_display="Complete", duration=15, assets=assets(video, thumbnails))


def assets(video: str, thumbnails: list[str]) -> dict[str, Any]:
    """A ProgressAssets with this video (as the final video and the one clip) and thumbnails."""
    def asset(url: str, scene: int | None = None) -> dict[str, Any]:
        return {"url": url, "scene_number": scene, "created_at": 1}

    return {"final_video": asset(video), "scene_clips": [asset(video, 1)],
            "thumbnails": [asset(url, n) for n, url in enumerate(thumbnails, 1)]}


def file_requests(peer: Peer) -> list[tuple[str, str | None]]:
    """Path and ``Authorization`` of each request the peer saw for a file."""
    return [(seen.path, seen.authorization) for seen in peer.requests
            if seen.path.startswith("/files/")]


def test_the_workspace_shows_and_plays_the_backends_media_from_the_dashboards_origin(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes]) -> None:
    finished_job(peer, "relayed", ["/files/thumb.png"])
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{app.base_url}/workspace/relayed")
    page.wait_for_function(LOADED, timeout=15_000)
    assert relayed_url(page.get_by_test_id("final-video").get_attribute("src") or "") \
        == f"{peer.url}/files/clip.mp4"
    assert [url for url in asked if not url.startswith(app.base_url)] == []
    assert {path for path, _ in file_requests(peer)} == {"/files/clip.mp4", "/files/thumb.png"}


def test_a_range_request_gets_exactly_those_bytes(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes]) -> None:
    finished_job(peer, "ranged", ["/files/thumb.png"])
    page.goto(f"{app.base_url}/workspace/ranged")
    source = page.get_by_test_id("final-video").get_attribute("src") or ""
    video = files["clip.mp4"]
    answer = httpx.get(app.base_url + source, headers={"Range": "bytes=10-109"}, timeout=10)
    assert answer.status_code == 206
    assert answer.headers["content-range"] == f"bytes 10-109/{len(video)}"
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.content == video[10:110]
    whole = httpx.get(app.base_url + source, timeout=10)
    assert (whole.status_code, whole.content) == (200, video)


def test_a_media_path_the_dashboard_did_not_sign_fetches_nothing(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes]) -> None:
    finished_job(peer, "signed", ["/files/thumb.png"])
    page.goto(f"{app.base_url}/workspace/signed")
    page.wait_for_function(LOADED, timeout=15_000)
    signature = parse_qs(urlsplit(page.get_by_test_id("final-video").get_attribute("src") or "")
                         .query)["sig"][0]
    before = len(file_requests(peer))
    for params in ({"url": f"{peer.url}/files/thumb.png", "sig": signature},  # another URL
                   {"url": f"{peer.url}/files/clip.mp4", "sig": "0" * len(signature)},
                   {"url": f"{peer.url}/files/clip.mp4", "sig": "é" * len(signature)},
                   {"url": f"{peer.url}/files/clip.mp4"},
                   {"url": "http://169.254.169.254/latest/meta-data/", "sig": signature}):
        answer = httpx.get(f"{app.base_url}/media", params=params, timeout=10)
        assert answer.status_code == 404, params
    assert len(file_requests(peer)) == before


def test_the_token_goes_to_the_backends_origin_and_nowhere_else(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes], api_token: str
        ) -> None:
    elsewhere = peer.url.replace("127.0.0.1", "localhost")  # the same server, another origin
    finished_job(peer, "tokens", ["/files/thumb.png", f"{elsewhere}/files/thumb.png",
                                  f"/moved?to={elsewhere}/files/thumb.png"])
    page.goto(f"{app.base_url}/workspace/tokens")
    page.wait_for_function(LOADED, timeout=15_000)
    expect(page.get_by_test_id("scene-thumbnail")).to_have_count(3)  # the redirect followed
    thumbnails = [(path, token) for path, token in file_requests(peer) if path.endswith(".png")]
    assert sorted(thumbnails, key=lambda seen: seen[1] or "") == [
        ("/files/thumb.png", None), ("/files/thumb.png", None),
        ("/files/thumb.png", f"Bearer {api_token}")]


def test_a_download_cut_short_closes_the_backends_answer_too(
        page: Page, app: AppProcess, peer: Peer, tmp_path: Path) -> None:
    (tmp_path / "long.mp4").write_bytes(bytes(64 * 2**20))  # far more than any buffer on the way
    peer.files["long.mp4"] = tmp_path / "long.mp4"
    peer.add_job("long", status="completed", progress=100, current_stage="complete", assets={
        "final_video": {"url": "/files/long.mp4", "created_at": 1},
        "scene_clips": [], "thumbnails": []})
    page.goto(f"{app.base_url}/workspace/long")
    source = page.get_by_test_id("final-video").get_attribute("src") or ""
    page.goto("about:blank")
    ours = "bytes=1-"  # a range no browser asks for, so the page's own download never counts
    with httpx.stream("GET", app.base_url + source, headers={"Range": ours}, timeout=10) as answer:
        next(answer.iter_raw())
        assert peer.files_sending.count(ours) == 1
    peer.wait_until(lambda: ours not in peer.files_sending, within=5)


def test_a_backend_that_breaks_off_halfway_cuts_the_download_short_and_nothing_else(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes]) -> None:
    finished_job(peer, "broken", ["/files/thumb.png"])
    page.goto(f"{app.base_url}/workspace/broken")
    source = page.get_by_test_id("final-video").get_attribute("src") or ""
    page.goto("about:blank")
    peer.files_cut_after = 1000
    with httpx.stream("GET", app.base_url + source, timeout=10) as answer:
        assert answer.headers["content-length"] == str(len(files["clip.mp4"]))
        with pytest.raises(httpx.RemoteProtocolError):  # the browser sees it cut short
            answer.read()
    peer.files_cut_after = None
    whole = httpx.get(app.base_url + source, timeout=10)  # the next try gets it all
    assert whole.content == files["clip.mp4"]


def test_a_page_open_past_its_urls_expiry_still_plays_its_video(
        page: Page, app: AppProcess, peer: Peer, files: dict[str, bytes]) -> None:
    peer.files_key = "monday"
    finished_job(peer, "expiring", ["/files/thumb.png?key=monday"],
                 video="/files/clip.mp4?key=monday")
    page.goto(f"{app.base_url}/workspace/expiring")
    page.wait_for_function(LOADED, timeout=15_000)
    source = page.get_by_test_id("final-video").get_attribute("src") or ""
    peer.files_key = "tuesday"  # the page's URLs have expired; the backend hands out new ones
    peer.jobs["expiring"].state["assets"] = assets("/files/clip.mp4?key=tuesday",
                                                   ["/files/thumb.png?key=tuesday"])
    seek = httpx.get(app.base_url + source, headers={"Range": "bytes=100-"}, timeout=10)
    assert (seek.status_code, seek.content) == (206, files["clip.mp4"][100:])
    peer.jobs["expiring"].state["assets"] = assets("/files/other.mp4?key=tuesday", [])
    gone = httpx.get(app.base_url + source, timeout=10)  # the job lists that file no more
    assert gone.status_code == 403
