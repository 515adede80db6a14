"""Retry that resumes, on a real backend (``main.py api``; accounts, one slot, draft size, one
render worker, so a job's scenes render one after another in order).

A retried job is the same job as its next attempt: the scenes and music it made are kept (their
files untouched), its first state after the retry lists them completed, its event ids go on
increasing, and it ends with a video of the full duration.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from services.client import AuroraClient, JobNotFound, JobNotRetryable, RequestRejected
from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.sse import Event, follow
from testkit.team_api import SERVICE_TOKEN, cancel_unfinished, start_team_api
from testkit.team_api import acting_for as _as
from testkit.waiting import wait_until

UNKNOWN = "0123456789abcdef"
ONE_AT_A_TIME = {"AURORA_RENDER_SIZE": "draft", "AURORA_RENDER_WORKERS": "1",
                 "AURORA_MAX_CONCURRENT_JOBS": "1"}
Files = dict[str, tuple[int, int]]  # a job's media file names: (mtime in ns, size)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = start_team_api(tmp_path_factory.mktemp("retry") / "data", ("ana", "ben"),
                         env=ONE_AT_A_TIME)
    yield app
    app.stop()


@pytest.fixture
def api(served: AppProcess) -> Iterator[httpx.Client]:
    """The API as the dashboard calls it; jobs a test leaves waiting or running are cancelled
    afterwards."""
    with httpx.Client(base_url=f"{served.base_url}{API_PREFIX}", timeout=10,
                      headers=_as("ana")) as client:
        yield client
    cancel_unfinished(served)


def _submit(api: httpx.Client, duration: int) -> str:
    answer = api.post("/generate", json={"prompt": "A lighthouse in a storm", "duration": duration})
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["job_id"]
    return job_id


def _job(api: httpx.Client, job_id: str) -> dict[str, Any]:
    detail: dict[str, Any] = api.get(f"/jobs/{job_id}").json()
    return detail


def _until(base_url: str, job_id: str, stage: str,
           headers: dict[str, str] | None = None) -> list[Event]:
    """The job's events until it reaches ``stage`` (that one included); then the stream
    closes."""
    read = []
    with closing(follow(base_url, job_id, headers=headers, timeout=180)) as events:
        for event in events:
            read.append(event)
            if event.event == "update" and event.data["current_stage"] == stage:
                return read
    raise AssertionError(f"the job ended before {stage}")


def _files(media: Path) -> Files:
    return {path.name: (path.stat().st_mtime_ns, path.stat().st_size)
            for path in media.iterdir() if not path.name.startswith(".")}


def _video_seconds(api: httpx.Client, detail: dict[str, Any], scratch: Path) -> float:
    """The length of the job's final video, fetched by its signed URL and read with PyAV."""
    url = detail["assets"]["final_video"]["url"]
    answer = httpx.get(httpx.URL(str(api.base_url)).join(url), headers=_as("ana"), timeout=30)
    assert answer.status_code == 200
    path = scratch / f"{detail['job_id']}.mp4"
    path.write_bytes(answer.content)
    with av.open(str(path)) as container:
        assert container.duration is not None
        return float(container.duration / av.time_base)


def _completed_names(event: Event) -> list[str]:
    return [stage["name"] for stage in event.data["stages_completed"]]


def test_a_job_cancelled_during_scene_3_resumes_from_its_two_scenes_when_retried(
        api: httpx.Client, served: AppProcess, tmp_path: Path) -> None:
    job_id = _submit(api, 60)
    before = _until(served.base_url, job_id, "scene_3_generating", _as("ana"))
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 202
    wait_until(lambda: _job(api, job_id)["error"] == "Cancelled by user", timeout=10,
               what="the cancel")
    media = served.data_dir / "media" / job_id
    made = _files(media)
    assert {"scene_01.mp4", "scene_01.jpg", "scene_02.mp4", "scene_02.jpg"} <= set(made)

    started = time.monotonic()
    answer = api.post(f"/jobs/{job_id}/retry")
    assert answer.status_code == 202, answer.text
    assert (answer.json()["job_id"], answer.json()["attempt"]) == (job_id, 2)
    assert answer.json()["status"] in ("pending", "processing")
    after = list(follow(served.base_url, job_id, headers=_as("ana"), timeout=180))
    took = time.monotonic() - started

    assert (after[-1].event, after[-1].data) == ("done", {"status": "completed"})
    first = after[0]  # the stream opened after the retry starts with the current state
    assert first.data["status"] in ("pending", "processing")
    assert {"script", "scene_1", "scene_2"} <= set(_completed_names(first))
    assert int(first.id) > int(before[-1].id)
    ids = [int(event.id) for event in after]
    assert ids == sorted(set(ids))
    detail = _job(api, job_id)
    assert (detail["status"], detail["attempt"], detail["error"]) == ("completed", 2, None)
    assert len(detail["assets"]["scene_clips"]) == 10
    assert _video_seconds(api, detail, tmp_path) == pytest.approx(60, abs=0.5)
    kept = _files(media)
    for name in ("scene_01.mp4", "scene_01.jpg", "scene_02.mp4", "scene_02.jpg"):
        assert kept[name] == made[name], f"{name} was rendered again"
    # Scenes render ahead of the stage the stream has told (several at once): by the time
    # the cancel lands, later scenes may be done and kept too.
    assert re.search(rf"job {job_id}: attempt 2 keeps scene 1, scene 2(, [\w ,]+)? from before",
                     served.log())
    print(f"\nretried 60 s job: {took:.1f} s after the retry")


def test_a_job_interrupted_by_a_restart_completes_when_retried(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = AppProcess(data, command="api", env=ONE_AT_A_TIME).start()
    try:
        job_id = httpx.post(f"{app.base_url}{API_PREFIX}/generate", timeout=10, json={
            "prompt": "A kite over the dunes", "duration": 30}).json()["job_id"]
        _until(app.base_url, job_id, "scene_3_generating")
        app.stop(signal.SIGKILL)
    finally:
        app.stop()
    made = _files(data / "media" / job_id)

    restarted = AppProcess(data, command="api", env=ONE_AT_A_TIME).start()
    try:
        with httpx.Client(base_url=f"{restarted.base_url}{API_PREFIX}", timeout=10) as api:
            assert _job(api, job_id)["error"] == "Interrupted by restart"
            answer = api.post(f"/jobs/{job_id}/retry")
            assert answer.status_code == 202, answer.text
            events = list(follow(restarted.base_url, job_id))
            assert events[-1].data == {"status": "completed"}
            detail = _job(api, job_id)
            assert (detail["status"], detail["attempt"]) == ("completed", 2)
            assert _video_seconds(api, detail, tmp_path) == pytest.approx(30, abs=0.5)
        kept = _files(data / "media" / job_id)
        assert all(kept[name] == made[name] for name in ("scene_01.mp4", "scene_02.mp4"))
        assert f"job {job_id}: attempt 2 keeps scene 1, scene 2" in restarted.log()
    finally:
        restarted.stop()


async def test_only_a_failed_job_of_ones_own_can_be_retried(
        api: httpx.Client, served: AppProcess) -> None:
    finished = _submit(api, 15)
    wait_until(lambda: _job(api, finished)["status"] == "completed", timeout=120,
               what="the first job completed")
    running, waiting = _submit(api, 60), _submit(api, 15)
    wait_until(lambda: _job(api, running)["status"] == "processing", timeout=30,
               what="the second job started")
    async with AuroraClient(served.base_url, token=SERVICE_TOKEN) as client:
        for job_id in (finished, running, waiting):
            with pytest.raises(JobNotRetryable):
                await client.retry(job_id, user="ana")
        with pytest.raises(JobNotFound):
            await client.retry(UNKNOWN, user="ana")
        await client.cancel(waiting, user="ana")
        with pytest.raises(RequestRejected) as refused:
            await client.retry(waiting, user="ben")
        assert refused.value.status_code == 403
        retried = await client.retry(waiting, user="ana")
    assert (retried.job_id, retried.status, retried.attempt) == (waiting, "pending", 2)
    assert retried.queue_position == 1
    assert (_job(api, finished)["attempt"], _job(api, running)["attempt"]) == (1, 1)
