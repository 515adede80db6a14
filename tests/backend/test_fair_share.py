"""Fair share on a real embedded backend (its store, render workers and queue, one slot): one
user's queued jobs do not hold up another user's job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from pathlib import Path

import pytest

from services.backend.app import VideoBackend
from services.backend.engines import job_store
from services.backend.queue import JobAlreadyEnded
from services.backend.settings import BackendSettings
from services.backend.store import JobStore
from services.contract import GenerateRequest

FIFTEEN_SECONDS = GenerateRequest(prompt="A lighthouse at dusk", duration=15)


@pytest.fixture
def settings(tmp_path: Path) -> BackendSettings:
    """The embedded default engines in a data dir of the test's own: one job at a time, in
    draft size so each render is quick."""
    return BackendSettings(data_dir=tmp_path, max_concurrent_jobs=1, render_workers=2,
                           render_size="draft", database_url=None, media_url=None,
                           redis_url=None, render_pool="processes")


@pytest.fixture
async def backend(settings: BackendSettings) -> AsyncIterator[VideoBackend]:
    """The backend, started; stopped again after the test."""
    backend = VideoBackend(settings)
    await backend.start()
    yield backend
    await backend.stop()


@pytest.fixture
async def records(settings: BackendSettings) -> AsyncIterator[JobStore]:
    """The backend's job records, read through a store of the test's own on the same database
    (opened after the backend's, which creates it)."""
    store = job_store(settings)
    await store.open()
    yield store
    await store.close()


async def _started(store: JobStore, job_id: str, *, within: float) -> None:
    """Wait until the stored record says the job has started."""
    deadline = time.monotonic() + within
    while (record := await store.get(job_id)) is None or record.started_at is None:
        assert time.monotonic() < deadline, f"job {job_id} did not start within {within} s"
        await asyncio.sleep(0.1)


async def test_one_users_six_queued_jobs_let_another_users_job_start_second(
    backend: VideoBackend, records: JobStore,
) -> None:
    queue = backend.parts.queue
    ana = [(await queue.submit(FIFTEEN_SECONDS, owner="ana")).job_id for _ in range(6)]
    ben = (await queue.submit(FIFTEEN_SECONDS, owner="ben")).job_id
    try:
        await _started(records, ben, within=120)
        started = [record for record in await records.get_many([*ana, ben])
                   if record.started_at is not None]
        by_start = sorted(started, key=lambda record: record.started_at or 0)
        assert [record.job_id for record in by_start] == [ana[0], ben]
    finally:
        for job_id in [*ana, ben]:
            with suppress(JobAlreadyEnded):
                await queue.cancel(job_id)
