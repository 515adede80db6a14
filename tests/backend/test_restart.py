"""A crash mid-render loses nothing: records and videos stay; the interrupted job says why.

On each engine: the dashboard with its embedded backend on SQLite (the default), and the backend
alone (``python main.py api``) on PostgreSQL. Both render quick draft pictures with one render
worker: what a restart keeps is the point, not the picture, and a minute of video still takes
seconds, so it is cut mid-render.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest

from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.sse import generate, read_events, wait_for_stage


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if psutil.pid_exists(pid)
                 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    return alive


@dataclass
class Engine:
    """The program under test on one engine, and a way into that engine's job records."""

    options: dict[str, Any]  # AppProcess's command and settings
    connect: Callable[[], Any]  # a DB-API connection to the records

    def stored_ids(self) -> set[str]:
        """The ids of the jobs the engine holds, read behind the program's back."""
        with closing(self.connect()) as connection:
            return {row[0] for row in connection.execute("SELECT job_id FROM jobs")}


@pytest.fixture(params=["embedded-sqlite", "api-postgres"])
def engine(request: pytest.FixtureRequest, fresh_data_dir: Path) -> Engine:
    """The dashboard on SQLite in the data dir, or the backend alone on a PostgreSQL database."""
    if request.param == "embedded-sqlite":
        return Engine({"env": QUICK_RENDERS},
                      partial(sqlite3.connect, fresh_data_dir / "jobs.sqlite3"))
    url = request.getfixturevalue("postgres_url")
    return Engine({"command": "api", "env": {**QUICK_RENDERS, "AURORA_DATABASE_URL": url}},
                  partial(psycopg.connect, url))


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM])
def test_a_restart_keeps_jobs_and_videos_and_marks_the_interrupted_job(
    fresh_data_dir: Path, engine: Engine, stop_signal: int
) -> None:
    app = AppProcess(fresh_data_dir, **engine.options).start()
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

    assert engine.stored_ids() == {finished, running}
    restarted = AppProcess(fresh_data_dir, **engine.options).start()
    try:
        listed = httpx.get(f"{restarted.base_url}/api/v1/jobs", timeout=10).json()
        assert [(job["job_id"], job["status"]) for job in listed["jobs"]] == [
            (running, "failed"), (finished, "completed")]
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
