"""A crash mid-render loses nothing: records and videos stay; the interrupted job says why."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from testkit.app_process import AppProcess
from testkit.sse import generate, read_events, wait_for_stage


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if psutil.pid_exists(pid)
                 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    return alive


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM])
def test_a_restart_keeps_jobs_and_videos_and_marks_the_interrupted_job(
    fresh_data_dir: Path, stop_signal: int
) -> None:
    app = AppProcess(fresh_data_dir).start()
    try:
        finished = generate(app.base_url, duration=15)
        read_events(app.base_url, finished)
        running = generate(app.base_url, duration=60)
        wait_for_stage(app.base_url, running, "scene_")
        assert app.process is not None
        workers = [child.pid for child in psutil.Process(app.process.pid).children(recursive=True)]
        assert workers
        app.stop(stop_signal)
        assert _wait_gone(workers, timeout=10) == []
    finally:
        app.stop()

    restarted = AppProcess(fresh_data_dir).start()
    try:
        interrupted = httpx.get(f"{restarted.base_url}/api/v1/jobs/{running}", timeout=10).json()
        assert (interrupted["status"], interrupted["error"]) == ("failed", "Interrupted by restart")
        done = read_events(restarted.base_url, running)
        assert [event.event for event in done] == ["update", "done"]

        kept = httpx.get(f"{restarted.base_url}/api/v1/jobs/{finished}", timeout=10).json()
        assert kept["status"] == "completed"
        video = httpx.get(restarted.base_url + kept["assets"]["final_video"]["url"], timeout=30)
        assert video.status_code == 200
        assert len(video.content) > 10_000
    finally:
        restarted.stop()
