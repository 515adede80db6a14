"""Histories written straight into a backend's SQLite store before it starts, for tests that
need many jobs (a thousand renders would take an hour) or old ones (retention); and the
render rates a backend has stored, read back or waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from services.backend.picture_sizes import RenderSize
from services.backend.render import video_format
from services.backend.store import JobRecord, SqliteJobStore
from services.contract import DEFAULT_ASPECT_RATIO, JobStatus
from testkit.waiting import wait_until

T = TypeVar("T")


def stored_job(job_id: str, *, prompt: str = "A fox in the snow", style: str = "",
               status: str = JobStatus.COMPLETED, at: float = 1.0,
               owner: str | None = None) -> JobRecord:
    """A 15 s job's record, ended (or not) at ``at``, with no media of its own."""
    ended = status == JobStatus.COMPLETED
    return JobRecord(job_id=job_id, status=status, prompt=prompt, duration=15,
                     aspect_ratio="16:9", style=style, scene_count=3,
                     current_stage="complete" if ended else "pending",
                     progress=100 if ended else 0, created_at=at, updated_at=at, owner=owner)


def store_before_start(data_dir: Path, records: list[JobRecord]) -> None:
    """Write ``records`` into the store a backend will open in ``data_dir`` (in a thread of
    its own: a browser test's thread already runs Playwright's event loop)."""
    async def write() -> None:
        store = SqliteJobStore(data_dir / "jobs.sqlite3")
        await store.open()
        for record in records:
            await store.insert(record)
        await store.close()

    _run_apart(write())


def stored_rates(data_dir: Path) -> dict[str, float]:
    """The render rates the backend keeps in its store."""
    async def read() -> dict[str, float]:
        store = SqliteJobStore(data_dir / "jobs.sqlite3")
        await store.open()
        try:
            return await store.throughputs()
        finally:
            await store.close()

    return _run_apart(read())


def start_up_rates(render_size: RenderSize) -> set[str]:
    """The rates a fresh backend measures as its workers start (``calibration.py``), by the
    names they are stored under."""
    fmt = video_format(DEFAULT_ASPECT_RATIO, render_size)
    return {f"fps:{fmt.width}x{fmt.height}", "spv:audio", "spv:compose"}


def wait_for_start_up_rates(data_dir: Path, render_size: RenderSize) -> None:
    """Wait until the backend on ``data_dir`` has stored the rates it measures at start-up."""
    wait_until(lambda: set(stored_rates(data_dir)) >= start_up_rates(render_size), timeout=60,
               what="the rates measured at start-up")


def _run_apart(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end on an event loop of its own, in a thread: a browser test's
    thread already runs Playwright's loop."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()
