"""The contract over real HTTP, on the embedded backend and on a cluster (two API replicas,
two Celery workers): real jobs, real videos, the contract's SSE rules."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image

from services.contract import stages
from testkit.app_process import AppProcess
from testkit.cluster import Cluster
from testkit.sse import generate, read_events, wait_for_stage
from testkit.waiting import wait_until


@dataclass(frozen=True)
class ServedBackend:
    """A backend under test: where its API answers, and the CPU its renders have used."""

    base_url: str
    render_cpu_seconds: Callable[[], float]


@pytest.fixture(params=["embedded", "cluster"])
def backend(request: pytest.FixtureRequest) -> ServedBackend:
    """The session's dashboard with its embedded backend, or the session's cluster."""
    if request.param == "embedded":
        app: AppProcess = request.getfixturevalue("app_server")
        return ServedBackend(app.base_url, app.children_cpu_seconds)
    cluster: Cluster = request.getfixturevalue("cluster")
    return ServedBackend(cluster.replicas[0].base_url, cluster.render_cpu_seconds)


def _fetch(base_url: str, url: str, **kwargs: object) -> httpx.Response:
    return httpx.get(url if url.startswith("http") else base_url + url, timeout=30,
                     **kwargs)  # type: ignore[arg-type]


def _final_video(base_url: str, job_id: str, tmp_path: Path) -> Path:
    detail = _fetch(base_url, f"/api/v1/jobs/{job_id}").json()
    answer = _fetch(base_url, detail["assets"]["final_video"]["url"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "video/mp4"
    path = tmp_path / f"{job_id}.mp4"
    path.write_bytes(answer.content)
    return path


def test_a_15_second_job_streams_every_stage_and_makes_a_real_video(
    backend: ServedBackend, tmp_path: Path
) -> None:
    job_id = generate(backend.base_url, duration=15)
    events = read_events(backend.base_url, job_id)

    first, updates, done = events[0], events[:-1], events[-1]
    assert first.event == "update"
    assert first.retry == 3000
    assert [int(event.id) for event in events] == sorted({int(event.id) for event in events})
    expected = ["pending", *stages.stage_sequence(3)]
    seen = [event.data["current_stage"] for event in updates]
    assert seen == expected[expected.index(seen[0]):]
    progress = [event.data["progress"] for event in updates]
    assert progress == [stages.stage_progress(stage, 3) for stage in seen]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    assert done.event == "done"
    assert done.data == {"status": "completed"}
    assert updates[-1].data["estimated_time_remaining"] == 0
    assert [s["display_name"] for s in updates[-1].data["stages_completed"]] == [
        "Script ready", "Scene 1 ready", "Scene 2 ready", "Scene 3 ready", "Audio ready",
        "Video composed"]

    with av.open(str(_final_video(backend.base_url, job_id, tmp_path))) as container:
        assert len(container.streams.video) == 1
        assert len(container.streams.audio) == 1
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 1280, 720)
        assert container.streams.audio[0].codec_context.name == "aac"
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 15) <= 0.5

    thumbnails = updates[-1].data["assets"]["thumbnails"]
    assert [thumb["scene_number"] for thumb in thumbnails] == [1, 2, 3]
    for thumb in thumbnails:
        image = Image.open(io.BytesIO(_fetch(backend.base_url, thumb["url"]).content))
        image.load()
        assert image.format == "JPEG"


@pytest.mark.parametrize(("aspect_ratio", "size"), [("9:16", (720, 1280)), ("1:1", (720, 720))])
def test_other_aspect_ratios_give_their_frame_size(
    backend: ServedBackend, tmp_path: Path, aspect_ratio: str, size: tuple[int, int]
) -> None:
    job_id = generate(backend.base_url, duration=15, aspect_ratio=aspect_ratio)
    assert read_events(backend.base_url, job_id)[-1].data == {"status": "completed"}
    with av.open(str(_final_video(backend.base_url, job_id, tmp_path))) as container:
        video = container.streams.video[0]
        assert (video.width, video.height) == size


def test_a_draft_size_backend_renders_small_pictures_of_the_full_length(tmp_path: Path) -> None:
    app = AppProcess(tmp_path / "data", command="api",
                     env={"AURORA_RENDER_SIZE": "draft"}).start()
    try:
        job_id = generate(app.base_url, duration=30, aspect_ratio="9:16")
        assert read_events(app.base_url, job_id)[-1].data == {"status": "completed"}
        with av.open(str(_final_video(app.base_url, job_id, tmp_path))) as container:
            video = container.streams.video[0]
            assert (video.width, video.height) == (180, 320)
            assert container.duration is not None
            assert container.duration / 1_000_000 == pytest.approx(30, abs=0.2)
    finally:
        app.stop()


def test_a_reconnection_gets_the_current_state_first_and_an_ended_job_ends_at_once(
    backend: ServedBackend,
) -> None:
    job_id = generate(backend.base_url, duration=15)
    early = read_events(backend.base_url, job_id, limit=2)
    resumed = read_events(backend.base_url, job_id, limit=1, last_event_id=early[-1].id)
    assert resumed[0].event == "update"
    assert resumed[0].retry == 3000
    assert int(resumed[0].id) >= int(early[-1].id)
    assert resumed[0].data["progress"] >= early[-1].data["progress"]
    read_events(backend.base_url, job_id)  # until done

    after_end = read_events(backend.base_url, job_id)
    assert [event.event for event in after_end] == ["update", "done"]
    assert after_end[0].data["status"] == "completed"


def _renders_idle(backend: ServedBackend) -> bool:
    """Whether the render processes spend no CPU over half a second."""
    before = backend.render_cpu_seconds()
    time.sleep(0.5)
    return backend.render_cpu_seconds() - before < 0.05


def test_cancel_stops_the_render_and_ends_the_job(backend: ServedBackend) -> None:
    wait_until(lambda: _renders_idle(backend), timeout=60,  # a fresh backend measures its rates
               what="the render processes idle before the job")
    job_id = generate(backend.base_url, duration=60)
    wait_for_stage(backend.base_url, job_id, "scene_")

    answer = httpx.post(f"{backend.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10)
    assert answer.status_code == 202
    cancelled_at = time.monotonic()
    events = read_events(backend.base_url, job_id)
    assert events[-1].event == "done"
    assert events[-1].data == {"status": "failed"}
    assert events[-2].data["error"] == "Cancelled by user"

    # Within a second of the cancel the workers are idle: no CPU spent in the next half second.
    time.sleep(max(0.0, 1.0 - (time.monotonic() - cancelled_at)))
    assert _renders_idle(backend)

    again = httpx.post(f"{backend.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10)
    assert again.status_code == 409
    detail = _fetch(backend.base_url, f"/api/v1/jobs/{job_id}").json()
    assert (detail["status"], detail["error"]) == ("failed", "Cancelled by user")


def test_listing_is_newest_first_and_filters_by_status(backend: ServedBackend) -> None:
    job_id = generate(backend.base_url, duration=15, prompt="Listing check")
    listing = _fetch(backend.base_url, "/api/v1/jobs?limit=1").json()
    assert listing["jobs"][0]["job_id"] == job_id
    assert listing["total"] >= 1
    assert listing["jobs"][0]["prompt"] == "Listing check"
    read_events(backend.base_url, job_id)
    completed = _fetch(backend.base_url, "/api/v1/jobs?status=completed&limit=200").json()
    assert job_id in [job["job_id"] for job in completed["jobs"]]
    assert all(job["status"] == "completed" for job in completed["jobs"])


def test_a_queued_job_counts_the_job_ahead_of_it_in_its_time_remaining(
    backend: ServedBackend,
) -> None:
    running = generate(backend.base_url, duration=60)
    wait_for_stage(backend.base_url, running, "scene_")
    queued = generate(backend.base_url, duration=15)  # one job at a time: this one waits

    try:
        ahead = _fetch(backend.base_url, f"/api/v1/jobs/{running}").json()
        behind = _fetch(backend.base_url, f"/api/v1/jobs/{queued}").json()

        assert (ahead["status"], behind["status"]) == ("processing", "pending")
        assert ahead["estimated_time_remaining"] > 0
        assert behind["estimated_time_remaining"] > ahead["estimated_time_remaining"]
    finally:
        for job_id in (queued, running):
            httpx.post(f"{backend.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10)
