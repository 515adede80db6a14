"""The job store keeps its promises: order, every field, restarts, rates, its own error."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import pytest

from services.backend.store import (
    INTERRUPTED_MESSAGE,
    JobRecord,
    JobStore,
    SqliteJobStore,
    StoreUnavailable,
)
from services.contract import JobStatus


class Engine:
    """One engine's storage for a test: every store opened on it reads the same records."""

    def __init__(self, make: Callable[[], JobStore]) -> None:
        self._make = make
        self.opened: list[JobStore] = []

    async def open(self) -> JobStore:
        """A new store on this storage, open (and closed when the test ends)."""
        store = self._make()
        self.opened.append(store)
        await store.open()
        return store


async def _engine(make: Callable[[], JobStore]) -> AsyncIterator[Engine]:
    engine = Engine(make)
    yield engine
    for store in engine.opened:
        await store.close()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    """SQLite in a file of the test's own."""
    async for engine in _engine(partial(SqliteJobStore, tmp_path / "jobs.sqlite3")):
        yield engine


@pytest.fixture
async def job_store(engine: Engine) -> JobStore:
    """An open store of each engine, empty."""
    return await engine.open()


def _record(job_id: str, status: str = JobStatus.PENDING, created_at: float = 1.0) -> JobRecord:
    return JobRecord(job_id=job_id, status=status, prompt="p", duration=15, aspect_ratio="16:9",
                     style="", scene_count=3, current_stage="pending", progress=0,
                     created_at=created_at, updated_at=created_at)


def _ids(records: list[JobRecord]) -> list[str]:
    return [record.job_id for record in records]


async def test_records_survive_reopening_and_list_newest_first(engine: Engine) -> None:
    store = await engine.open()
    await store.insert(_record("a", JobStatus.COMPLETED, 1.0))
    await store.insert(_record("b", JobStatus.PROCESSING, 2.0))
    await store.insert(_record("c", JobStatus.PENDING, 3.0))
    await store.close()

    reopened = await engine.open()
    jobs, total = await reopened.page()
    assert (_ids(jobs), total) == (["c", "b", "a"], 3)
    jobs, total = await reopened.page(status=JobStatus.COMPLETED)
    assert (_ids(jobs), total) == (["a"], 1)
    jobs, total = await reopened.page(limit=2, offset=1)
    assert (_ids(jobs), total) == (["b", "a"], 3)
    jobs, total = await reopened.page(status=JobStatus.PENDING, limit=5, offset=1)
    assert (_ids(jobs), total) == ([], 1)


async def test_jobs_created_at_the_same_time_keep_the_order_they_were_stored_in(
        job_store: JobStore) -> None:
    stored = ["m", "c", "x", "a", "q"]  # neither sorted nor reversed: only the storing order
    for job_id in stored:
        await job_store.insert(_record(job_id, created_at=5.0))
    newest_first = stored[::-1]
    jobs, _ = await job_store.page()
    assert _ids(jobs) == newest_first
    pages = [_ids((await job_store.page(limit=2, offset=offset))[0]) for offset in (0, 2, 4)]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert _ids(await job_store.with_status(JobStatus.PENDING)) == stored


async def test_every_field_reads_back_as_written(job_store: JobStore) -> None:
    record = _record("full", JobStatus.PROCESSING, 10.25)
    record.started_at = 11.5
    record.script = ["A frozen lake", "Dawn over the ridge"]
    record.stage_times = {"script": 12.125}
    record.assets = {"scenes": {"1": {"clip": "scene_01.mp4", "created_at": 13.5},
                                "10": {"clip": "scene_10.mp4", "created_at": 14.5}}}
    record.event_id = 7
    await job_store.insert(record)
    assert await job_store.get("full") == record

    record.status, record.error, record.script = JobStatus.FAILED, "Rendering failed: x", None
    record.assets["final"] = {"file": "video.mp4", "created_at": 15.0}
    before = time.time()
    await job_store.save(record)
    assert record.updated_at >= before
    assert await job_store.get("full") == record
    assert await job_store.get("missing") is None


async def test_a_restart_fails_running_jobs_oldest_first_and_keeps_the_others(
        job_store: JobStore) -> None:
    await job_store.insert(_record("running-late", JobStatus.PROCESSING, 3.0))
    await job_store.insert(_record("queued", JobStatus.PENDING, 2.0))
    await job_store.insert(_record("running-early", JobStatus.PROCESSING, 1.0))
    await job_store.insert(_record("done", JobStatus.COMPLETED, 0.5))
    before = time.time()

    assert await job_store.fail_interrupted() == ["running-early", "running-late"]

    for job_id in ("running-early", "running-late"):
        failed = await job_store.get(job_id)
        assert failed is not None
        assert (failed.status, failed.error, failed.event_id) == (
            JobStatus.FAILED, INTERRUPTED_MESSAGE, 1)
        assert failed.updated_at >= before
    assert await job_store.get("queued") == _record("queued", JobStatus.PENDING, 2.0)
    assert await job_store.get("done") == _record("done", JobStatus.COMPLETED, 0.5)
    assert await job_store.fail_interrupted() == []


async def test_measured_rates_are_replaced_and_kept(engine: Engine) -> None:
    store = await engine.open()
    assert await store.throughputs() == {}
    await store.set_throughput("fps:1280x720", 60.0)
    await store.set_throughput("spv:audio", 0.03)
    await store.set_throughput("fps:1280x720", 72.5)
    assert await store.throughputs() == {"fps:1280x720": 72.5, "spv:audio": 0.03}
    await store.close()
    assert await (await engine.open()).throughputs() == {"fps:1280x720": 72.5, "spv:audio": 0.03}


async def test_a_closed_store_raises_its_own_error(job_store: JobStore) -> None:
    await job_store.close()
    with pytest.raises(StoreUnavailable):
        await job_store.get("a")
    with pytest.raises(StoreUnavailable):
        await job_store.insert(_record("a"))
    with pytest.raises(StoreUnavailable):
        await job_store.page()
