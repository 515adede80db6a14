"""The job store keeps the same promises on SQLite and on PostgreSQL (each a real database), and
PostgreSQL's own: migrations once each, replicas starting together, a server that comes and goes.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from services.backend.store import (
    INTERRUPTED_MESSAGE,
    JobFilter,
    JobRecord,
    JobStore,
    LogLevel,
    SqliteJobStore,
    StoreUnavailable,
    migrations,
    postgres,
    sqlite,
)
from services.backend.store.postgres import PostgresJobStore
from services.contract import JobStatus
from testkit.postgres_server import PostgresServer
from tests.backend.conftest import Engine


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
    jobs, total = await reopened.page(JobFilter(status=JobStatus.COMPLETED))
    assert (_ids(jobs), total) == (["a"], 1)
    jobs, total = await reopened.page(limit=2, offset=1)
    assert (_ids(jobs), total) == (["b", "a"], 3)
    jobs, total = await reopened.page(JobFilter(status=JobStatus.PENDING), limit=5, offset=1)
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


async def test_a_search_finds_every_word_in_the_prompt_or_style_in_any_case(
        job_store: JobStore) -> None:
    jobs = {"fox": ("A red Fox runs through snow", "", "ana"),
            "cafe": ("Morning at the CAFÉ", "watercolour", "ben"),
            "both": ("A fox in a café", "Cinematic", "ana"),
            "none": ("Waves at dusk", "noir", None)}
    for number, (job_id, (prompt, style, owner)) in enumerate(jobs.items()):
        record = _record(job_id, JobStatus.COMPLETED, created_at=float(number))
        record.prompt, record.style, record.owner = prompt, style, owner
        await job_store.insert(record)

    async def found(q: str, **options: str) -> tuple[list[str], int]:
        records, total = await job_store.page(JobFilter.searching(q, **options))
        return _ids(records), total

    assert await found("fox") == (["both", "fox"], 2)
    assert await found("café") == (["both", "cafe"], 2)  # Unicode, any case
    assert await found("FOX café") == (["both"], 1)  # every word, in prompt or style
    assert await found("cinematic fox") == (["both"], 1)  # the style counts too
    assert await found("watercolour") == (["cafe"], 1)
    assert await found("fox", owner="ana") == (["both", "fox"], 2)
    assert await found("", owner="ben") == (["cafe"], 1)
    assert await found("100%_") == ([], 0)  # no wildcards: the text as it is
    assert await found("fox", status=JobStatus.PENDING) == ([], 0)
    page, total = await job_store.page(JobFilter.searching("a"), limit=1, offset=1)
    assert (_ids(page), total) == (["both"], 4)  # total counts every match, not the page


async def test_a_jobs_log_reads_back_in_order_and_goes_with_the_job(job_store: JobStore) -> None:
    await job_store.insert(_record("logged"))
    await job_store.insert(_record("other"))
    written: list[tuple[str, LogLevel]] = [
        ("Queued by ana", "info"), ("Scene 1 ready", "info"),
        ("Ended at “Generating scene 2”: out of memory", "error")]
    for message, level in written:
        await job_store.add_log("logged", level, message)
    await job_store.add_log("other", "info", "Queued")
    lines = await job_store.log_of("logged")
    assert [(line.level, line.message) for line in lines] == [
        ("info", "Queued by ana"), ("info", "Scene 1 ready"),
        ("error", "Ended at “Generating scene 2”: out of memory")]
    assert [line.at for line in lines] == sorted(line.at for line in lines)
    await job_store.delete("logged")
    assert await job_store.log_of("logged") == []
    assert [line.message for line in await job_store.log_of("other")] == ["Queued"]


async def test_every_field_reads_back_as_written(job_store: JobStore) -> None:
    record = _record("full", JobStatus.PROCESSING, 10.25)
    record.started_at = 11.5
    record.script = ["A frozen lake", "Dawn over the ridge"]
    record.stage_times = {"script": 12.125}
    record.assets = {"scenes": {"1": {"clip": "scene_01.mp4", "created_at": 13.5},
                                "10": {"clip": "scene_10.mp4", "created_at": 14.5}}}
    record.event_id = 7
    record.render_size = "draft"
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


def _shipped() -> list[tuple[int, str]]:
    """The migrations the repository holds, as ``schema_migrations`` should list them."""
    return [(version, path.name) for version, path in migrations.numbered(postgres.MIGRATIONS)]


async def _applied(url: str) -> list[tuple[int, str, object]]:
    """The rows of ``schema_migrations``: version, file name, when applied."""
    async with await psycopg.AsyncConnection.connect(url) as connection:
        cursor = await connection.execute(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
        return [tuple(row) for row in await cursor.fetchall()]


async def test_each_migration_is_applied_once_and_in_order(
        postgres_engine: Engine, postgres_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await postgres_engine.open()
    first = await _applied(postgres_url)
    assert [row[:2] for row in first] == _shipped()

    again = await postgres_engine.open()  # a second start applies none (CREATE TABLE would fail)
    await again.insert(_record("a"))
    assert await _applied(postgres_url) == first

    folder = tmp_path / "migrations"
    shutil.copytree(postgres.MIGRATIONS, folder)
    (folder / "0901_note_text.sql").write_text("ALTER TABLE notes ADD COLUMN body text;")
    (folder / "0900_notes.sql").write_text("CREATE TABLE notes (job_id text REFERENCES jobs);")
    monkeypatch.setattr(postgres, "MIGRATIONS", folder)
    later = await postgres_engine.open()
    assert await later.get("a") is not None
    applied = await _applied(postgres_url)
    assert applied[:len(first)] == first
    assert [row[:2] for row in applied[len(first):]] == [
        (900, "0900_notes.sql"), (901, "0901_note_text.sql")]


async def test_replicas_starting_at_once_on_an_empty_database_all_come_up(
        postgres_engine: Engine, postgres_url: str) -> None:
    stores = [PostgresJobStore(postgres_url) for _ in range(4)]
    postgres_engine.opened.extend(stores)
    await asyncio.gather(*(store.open() for store in stores))
    assert [row[:2] for row in await _applied(postgres_url)] == _shipped()
    for number, store in enumerate(stores):
        await store.insert(_record(f"job-{number}"))
    assert (await stores[0].page())[1] == len(stores)


def _terminate_connections(server: PostgresServer, url: str) -> int:
    """Cut off every connection to the database of ``url``, as a server restart would."""
    with psycopg.connect(server.url(), autocommit=True) as admin:
        row = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = %s", (url.rsplit("/", 1)[1],)).fetchone()
    assert row is not None
    return int(row[0])


async def test_connections_the_server_dropped_are_replaced_unnoticed(
        postgres_engine: Engine, postgres_url: str, postgres_server: PostgresServer) -> None:
    store = await postgres_engine.open()
    await store.insert(_record("a"))
    assert _terminate_connections(postgres_server, postgres_url) >= 1
    assert await store.get("a") is not None


async def _eventually_get(store: JobStore, job_id: str, *, within: float) -> JobRecord | None:
    """``store.get`` once the store answers again, trying for ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await store.get(job_id)
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_a_server_that_goes_away_makes_the_store_unavailable_until_it_is_back(
        postgres_engine: Engine, postgres_server: PostgresServer) -> None:
    store = await postgres_engine.open()
    await store.insert(_record("kept"))
    postgres_server.stop()
    try:
        started = time.monotonic()
        answers = await asyncio.gather(store.get("kept"), store.insert(_record("lost")),
                                       return_exceptions=True)  # a read and a write, at once
        assert [type(answer) for answer in answers] == [StoreUnavailable] * 2, answers
        assert time.monotonic() - started < 15  # each call gives up within its wait
    finally:
        postgres_server.start()
    assert await _eventually_get(store, "kept", within=15) is not None
    await store.insert(_record("after"))
    assert _ids((await store.page())[0]) == ["after", "kept"]


async def test_a_data_dir_from_before_numbered_migrations_is_brought_up_to_date(
        tmp_path: Path) -> None:
    old = sqlite3.connect(tmp_path / "jobs.sqlite3")
    old.executescript((sqlite.MIGRATIONS / "0001_jobs.sql").read_text())  # all it had then
    row = _record("old-job")
    columns = [name for name in row.__dict__ if name not in ("render_size", "work", "owner",
                                                            "attempt", "webhook_url")]
    old.execute(f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [json.dumps(value) if isinstance(value, (dict, list)) else value
                 for value in (getattr(row, name) for name in columns)])
    old.commit()
    old.close()
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    await store.open()
    try:
        kept = await store.get("old-job")
        assert kept is not None
        assert (kept.prompt, kept.render_size, kept.work, kept.owner, kept.attempt,
                kept.webhook_url) == (row.prompt, "full", {}, None, 1, None)
        applied = sqlite3.connect(tmp_path / "jobs.sqlite3").execute(
            "SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        assert applied == [(version, path.name)
                           for version, path in migrations.numbered(sqlite.MIGRATIONS)]
    finally:
        await store.close()


async def test_many_jobs_read_at_once_come_in_the_order_asked(job_store: JobStore) -> None:
    for job_id in ("a", "b", "c"):
        await job_store.insert(_record(job_id))
    found = await job_store.get_many(["c", "missing", "a"])
    assert [record.job_id for record in found] == ["c", "a"]
    assert found[1] == await job_store.get("a")
    assert await job_store.get_many([]) == []
