"""Job ids are checked before any URL is built; asset URLs that are not http(s) never render.

Malformed ids in ``/workspace/{id}`` are covered by ``tests/ui/test_workspace.py``; the signing
secret's mode by ``tests/unit/test_store_and_signing.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess
from testkit.browser import expect_toast, fill_form, relayed_url
from testkit.peer import Pause, Peer, Reply, SendUpdate

MALFORMED_IDS = ["../../api/v1/jobs", "a b", "x" * 65, "job;rm -rf", "<img src=x>", "ok\n"]
UNSAFE_URLS = ["javascript:alert(1)", " JavaScript:alert(1)",
               "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
               "data:image/png;base64,iVBORw0KGgo=", "vbscript:msgbox(1)", "file:///etc/passwd"]

# Every URL-carrying attribute in the page whose scheme is neither http(s) nor relative.
UNSAFE_ATTRIBUTES = r"""() => [...document.body.querySelectorAll('[src], [href], [poster]')]
    .flatMap((element) => ['src', 'href', 'poster'].map((name) => element.getAttribute(name)))
    .filter((value) => value && /^\s*[a-z][a-z0-9+.-]*:/i.test(value)
                       && !/^\s*https?:/i.test(value))"""


def job_requests(peer: Peer) -> list[str]:
    """Paths of the requests the peer saw about any one job."""
    return [seen.path for seen in peer.requests if seen.path.startswith("/api/v1/jobs/")]


@pytest.mark.parametrize("parameter", ["job", "from_job"])
def test_a_malformed_job_id_in_the_create_url_reaches_no_backend(
        page: Page, app: AppProcess, peer: Peer, parameter: str) -> None:
    for job_id in MALFORMED_IDS:
        page.goto(f"{app.base_url}/?{parameter}={quote(job_id, safe='')}")
        expect_toast(page, "is not a valid job id")
        expect(page).to_have_url(f"{app.base_url}/")
        expect(page.get_by_test_id("prompt-input")).to_have_value("")
        expect(page.get_by_test_id("generate-button")).to_be_enabled()
        expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
        assert job_requests(peer) == [], f"{job_id!r} reached the backend"


def test_an_encoded_path_in_the_workspace_url_is_not_found_and_reaches_no_backend(
        page: Page, app: AppProcess, peer: Peer) -> None:
    response = page.goto(f"{app.base_url}/workspace/..%2F..%2Fapi%2Fv1%2Fjobs")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("Video not found")
    assert job_requests(peer) == []


def test_an_unusable_job_id_from_the_backend_is_refused_before_any_request(
        page: Page, app: AppProcess, peer: Peer) -> None:
    peer.queue_reply("generate", Reply(202, {"job_id": "../../admin", "status": "pending"}))
    page.goto(app.base_url + "/")
    fill_form(page, "A quiet harbour at dawn")
    page.get_by_test_id("generate-button").click()
    expect_toast(page, "The backend answered with an unusable job id.")
    expect(page.get_by_test_id("progress-dialog")).to_have_count(0)
    expect(page.get_by_test_id("prompt-input")).to_have_value("A quiet harbour at dawn")
    assert job_requests(peer) == []


def asset(url: str, scene: int | None = None) -> dict[str, Any]:
    """An AssetInfo."""
    return {"url": url, "scene_number": scene, "created_at": 1}


@pytest.mark.parametrize("unsafe", UNSAFE_URLS,
                         ids=["javascript", "javascript-spaced", "data-html", "data-image",
                              "vbscript", "file"])
def test_asset_urls_that_are_not_http_are_not_shown_on_the_workspace(
        page: Page, app: AppProcess, peer: Peer, unsafe: str) -> None:
    job_id = f"unsafe-{UNSAFE_URLS.index(unsafe)}"  # its own: the hub keeps a model a while
    peer.add_job(job_id, status="completed", progress=100, current_stage="complete",
                 current_stage_display="Complete", duration=15, assets={
                     "final_video": asset(unsafe),
                     "scene_clips": [asset(unsafe, 1), asset("/media/clip-2.mp4", 2)],
                     "thumbnails": [asset(unsafe, 1), asset("/media/thumb-2.jpg", 2)],
                     "audio": asset(unsafe)})
    page.goto(f"{app.base_url}/workspace/{job_id}")
    expect(page.get_by_text("The backend lists no video for this job.")).to_be_visible()
    expect(page.get_by_test_id("final-video")).to_have_count(0)
    expect(page.get_by_test_id("scene-card")).to_have_count(2)
    clip = page.locator("video.aurora-clip")
    expect(clip).to_have_count(1)  # the safe one is shown: the filter is not a blanket one
    assert relayed_url(clip.get_attribute("src") or "") == f"{peer.url}/media/clip-2.mp4"
    assert relayed_url(clip.get_attribute("poster") or "") == f"{peer.url}/media/thumb-2.jpg"
    assert page.evaluate(UNSAFE_ATTRIBUTES) == []


@pytest.mark.parametrize("unsafe", UNSAFE_URLS[1:4], ids=["javascript-spaced", "data-html",
                                                          "data-image"])
def test_asset_urls_that_are_not_http_are_not_shown_in_the_dialog(
        page: Page, app: AppProcess, peer: Peer, unsafe: str) -> None:
    job_id = f"unsafe-live-{UNSAFE_URLS.index(unsafe)}"  # its own: the hub keeps a model a while
    peer.add_job(job_id, [SendUpdate(
        status="processing", progress=50, current_stage="scene_3_generating",
        current_stage_display="Generating scene 3",
        assets={"scene_clips": [], "thumbnails": [asset(unsafe, 1),
                                                  asset("/media/thumb-2.jpg", 2)]}), Pause()])
    page.goto(f"{app.base_url}/?job={job_id}")
    expect(page.get_by_test_id("progress-percent")).to_have_text("50%")
    thumbnails = page.get_by_test_id("scene-thumbnail")
    expect(thumbnails).to_have_count(1)
    assert relayed_url(thumbnails.get_attribute("src") or "") == f"{peer.url}/media/thumb-2.jpg"
    assert page.evaluate(UNSAFE_ATTRIBUTES) == []
