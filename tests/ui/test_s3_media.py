"""A dashboard whose backend keeps its media on a real S3 store: the video is watched live and
plays, its pictures show, all through the dashboard's own ``/media`` relay."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import QUICK_RENDERS, AppProcess, dashboard_on_separate_api
from testkit.browser import PLAYING, start_job
from testkit.s3_server import S3Server
from testkit.sse import read_events

PICTURES_SHOWN = """() => {
    const pictures = [...document.querySelectorAll('[data-testid=scene-thumbnail]')];
    return pictures.length > 0
        && pictures.every((picture) => picture.complete && picture.naturalWidth > 0);
}"""


@pytest.fixture(scope="module")
def s3_app(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """``main.py api`` on S3 media, rendering quick draft pictures (where the files live is
    the point here, not their size), and a dashboard pointed at it."""
    with dashboard_on_separate_api(tmp_path_factory.mktemp("s3-app"), api_env={
            **s3_server.env, **QUICK_RENDERS, "AURORA_MEDIA_URL": "s3://aurora-ui"}) as dashboard:
        yield dashboard


def test_a_video_kept_on_s3_is_watched_live_and_plays(page: Page, s3_app: AppProcess) -> None:
    job_id = start_job(page, s3_app.base_url, "A lighthouse in a storm", duration=15)
    # however long the render takes on a busy machine, the video opens soon after it is done
    assert read_events(s3_app.api_url, job_id)[-1].data == {"status": "completed"}
    page.wait_for_url(f"**/workspace/{job_id}", timeout=15_000)
    video = page.get_by_test_id("final-video")
    expect(video).to_have_attribute("src", re.compile(r"^/media\?"))
    page.wait_for_function(PLAYING, timeout=15_000)
    page.wait_for_function(PICTURES_SHOWN, timeout=15_000)
