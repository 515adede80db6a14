"""The backend with its media on a real S3-compatible store (SeaweedFS): renders upload their
files, clients fetch them by presigned URL straight from the store, never through the API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest

from services.backend.media import MediaUnavailable
from services.backend.media.s3 import S3Media
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.s3_server import S3Server
from testkit.sse import generate, read_events
from testkit.waiting import wait_until


@pytest.fixture(scope="module")
def s3_backend(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory,
               ) -> Iterator[AppProcess]:
    """``python main.py api`` keeping its media in a bucket that does not exist yet."""
    env = {**s3_server.env, "AURORA_MEDIA_URL": "s3://aurora-media/studio"}
    app = AppProcess(tmp_path_factory.mktemp("s3-backend") / "data", command="api",
                     env=env).start()
    yield app
    app.stop()


@pytest.fixture
def store_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's credentials where boto3 looks for them, for stores made in the test."""
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)


def _store(server: S3Server, media_url: str, scratch: Path, *, ttl: float = 60) -> S3Media:
    return S3Media(media_url, endpoint=server.url, scratch_dir=scratch, url_ttl=ttl)


def _media_on_disk(data_dir: Path) -> list[Path]:
    """The media files under ``data_dir``."""
    return [path for path in data_dir.rglob("*") if path.suffix in {".mp4", ".jpg", ".m4a"}]


def test_a_job_s_files_come_from_the_store_and_make_a_real_video(
        s3_backend: AppProcess, s3_server: S3Server, tmp_path: Path) -> None:
    job_id = generate(s3_backend.base_url, duration=15)
    assert read_events(s3_backend.base_url, job_id)[-1].data == {"status": "completed"}
    assets = httpx.get(f"{s3_backend.base_url}/api/v1/jobs/{job_id}", timeout=10).json()["assets"]
    files = [*assets["scene_clips"], *assets["thumbnails"], assets["audio"], assets["final_video"]]
    kinds = {}
    for asset in files:
        assert asset["url"].startswith(f"{s3_server.url}/aurora-media/studio/{job_id}/")
        answer = httpx.get(asset["url"], timeout=30)
        assert answer.status_code == 200, answer.text
        kinds[asset["url"].split("?")[0].rsplit(".", 1)[-1]] = answer.headers["content-type"]
    assert kinds == {"mp4": "video/mp4", "jpg": "image/jpeg", "m4a": "audio/mp4"}
    video = tmp_path / "video.mp4"
    video.write_bytes(httpx.get(assets["final_video"]["url"], timeout=30).content)
    with av.open(str(video)) as container:
        assert container.duration is not None
        assert container.duration / 1_000_000 == pytest.approx(15, abs=0.2)
    # the driver releases the scratch copies after the final state, so ``done`` may come first
    wait_until(lambda: _media_on_disk(s3_backend.data_dir) == [], timeout=10,
               what="the scratch copies going once the job ended")

    deleted = httpx.delete(f"{s3_backend.base_url}/api/v1/jobs/{job_id}", timeout=30)
    assert deleted.status_code == 204
    assert {httpx.get(asset["url"], timeout=10).status_code for asset in files} <= {403, 404}


@pytest.mark.usefixtures("store_env")
def test_deleting_a_job_removes_its_objects_and_no_other_jobs(
        s3_server: S3Server, media_url: str, tmp_path: Path) -> None:
    store = _store(s3_server, media_url, tmp_path)
    names = [f"scene_{number:02d}.mp4" for number in range(1, 4)]

    async def two_jobs_then_delete_one() -> None:
        await store.open()
        for job_id in ("job-a", "job-b"):
            for name in names:
                (store.workdir(job_id) / name).write_bytes(job_id.encode())
                await store.put(job_id, name)
        await store.delete("job-a")

    asyncio.run(two_jobs_then_delete_one())
    assert {httpx.get(store.url("job-a", name), timeout=10).status_code
            for name in names} == {404}
    assert [httpx.get(store.url("job-b", name), timeout=10).content for name in names] == \
        [b"job-b"] * 3
    assert not (tmp_path / "job-a").exists()


def test_the_backend_serves_no_media_itself_when_a_store_does(s3_backend: AppProcess) -> None:
    answer = httpx.get(f"{s3_backend.base_url}/api/v1/assets/{'a' * 16}/video.mp4",
                       params={"expires": int(time.time()) + 60, "sig": "x"}, timeout=10)
    assert answer.status_code == 404


@pytest.mark.usefixtures("store_env")
def test_presigned_urls_expire(s3_server: S3Server, media_url: str, tmp_path: Path) -> None:
    lasting = _store(s3_server, media_url, tmp_path, ttl=60)
    brief = _store(s3_server, media_url, tmp_path, ttl=1)

    async def put_one() -> None:
        await lasting.open()
        (lasting.workdir("job") / "video.mp4").write_bytes(b"not really a video")
        await lasting.put("job", "video.mp4")

    asyncio.run(put_one())
    expired = brief.url("job", "video.mp4")
    time.sleep(2.1)  # past its second (presigned URLs count whole seconds)
    assert httpx.get(expired, timeout=10).status_code == 403
    assert httpx.get(lasting.url("job", "video.mp4"), timeout=10).content == b"not really a video"


@pytest.mark.usefixtures("store_env")
def test_a_file_made_elsewhere_is_fetched_from_the_store(
        s3_server: S3Server, media_url: str, tmp_path: Path) -> None:
    maker = _store(s3_server, media_url, tmp_path / "machine-a")
    composer = _store(s3_server, media_url, tmp_path / "machine-b")

    async def hand_over() -> Path:
        await maker.open()
        (maker.workdir("job") / "scene_01.mp4").write_bytes(b"scene one")
        await maker.put("job", "scene_01.mp4")
        await maker.release("job")
        return await composer.fetch("job", "scene_01.mp4")

    copy = asyncio.run(hand_over())
    assert copy.read_bytes() == b"scene one"
    assert not (tmp_path / "machine-a" / "job").exists()


@pytest.mark.usefixtures("store_env")
def test_an_unreachable_store_raises_its_own_error(tmp_path: Path) -> None:
    store = S3Media("s3://nowhere", endpoint="http://127.0.0.1:9", scratch_dir=tmp_path,
                    url_ttl=60)
    with pytest.raises(MediaUnavailable):
        asyncio.run(store.open())


def test_a_store_that_goes_away_fails_the_job_saying_so(tmp_path: Path) -> None:
    server = S3Server(tmp_path / "s3").start()
    app = AppProcess(tmp_path / "data", command="api",  # drafts: the store is the point
                     env={**server.env, **QUICK_RENDERS,
                          "AURORA_MEDIA_URL": "s3://aurora-gone"}).start()
    try:
        server.stop()
        job_id = generate(app.base_url, duration=15)
        done = read_events(app.base_url, job_id, timeout=60)[-1]
        assert done.data == {"status": "failed"}
        detail = httpx.get(f"{app.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
        assert detail["error"].startswith("Could not store the video: media store aurora-gone")
    finally:
        app.stop()
        server.stop()


@pytest.mark.usefixtures("store_env")
def test_a_store_that_refuses_the_upload_fails_the_job_saying_so(
        s3_server: S3Server, media_url: str, tmp_path: Path) -> None:
    asyncio.run(_store(s3_server, media_url, tmp_path).open())  # the bucket exists, read-only
    app = AppProcess(tmp_path / "data", command="api",  # drafts: the store is the point
                     env={**s3_server.reader_env, **QUICK_RENDERS,
                          "AURORA_MEDIA_URL": media_url}).start()
    try:
        job_id = generate(app.base_url, duration=15)
        assert read_events(app.base_url, job_id, timeout=60)[-1].data == {"status": "failed"}
        detail = httpx.get(f"{app.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
        assert detail["error"].startswith("Could not store the video: media store aurora-")
        assert "Access Denied" in detail["error"]
    finally:
        app.stop()
