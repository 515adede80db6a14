"""Both change logs keep one promise: every change after an id, in order, each once, or None
when they no longer hold them all (the reader lists again); a waiting reader wakes on the next.
The Redis one is shared by every process on it, and turns a change it lost into a reset."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from services.backend.feed import ChangeLog, MemoryChangeLog
from services.backend.feed.redis_streams import RedisFeed
from testkit.redis_server import RedisServer

HELD = 150  # small, so a test can outgrow it (Redis trims whole blocks of about 100)


@pytest.fixture(params=["memory", "redis"])
async def changes(request: pytest.FixtureRequest) -> AsyncIterator[ChangeLog]:
    """Each engine in turn, holding about ``HELD`` changes; Redis's on the session's server,
    emptied first."""
    if request.param == "memory":
        yield MemoryChangeLog(held=HELD)
        return
    feed = RedisFeed(request.getfixturevalue("redis_url"))
    yield feed.change_log(held=HELD)
    await feed.aclose()


async def _record(log: ChangeLog, count: int, *, owner: str | None = None) -> None:
    for number in range(count):
        await log.record("job", json.dumps({"n": number}), owner)


async def test_a_reader_gets_every_change_after_its_id_once_in_order(changes: ChangeLog) -> None:
    start = await changes.newest()
    await _record(changes, 100, owner="ana")

    every = await changes.after(start, wait=0)
    assert every is not None
    assert [change.change_id for change in every] == list(range(start + 1, start + 101))
    assert [json.loads(change.data)["n"] for change in every] == list(range(100))
    assert {change.owner for change in every} == {"ana"}
    resumed = await changes.after(start + 37, wait=0)
    assert resumed == every[37:]
    assert await changes.after(start + 100, wait=0.05) == []  # the newest: nothing after it


async def test_a_waiting_reader_wakes_on_the_next_change(changes: ChangeLog) -> None:
    newest = await changes.newest()
    waiting = asyncio.create_task(changes.after(newest, wait=30))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    await changes.record("deleted", '{"job_id": "a"}')

    woken = await asyncio.wait_for(waiting, 10)
    assert woken is not None
    assert [(change.change_id, change.kind) for change in woken] == [(newest + 1, "deleted")]


async def test_changes_it_no_longer_holds_are_none_not_a_silent_skip(changes: ChangeLog) -> None:
    start = await changes.newest()
    await _record(changes, 3 * HELD)

    assert await changes.after(start, wait=0) is None
    assert await changes.after(start + 3 * HELD + 1, wait=0) is None  # an id never given
    recent = await changes.after(start + 3 * HELD - 10, wait=0)
    assert recent is not None
    assert len(recent) == 10


async def test_ids_from_before_a_restart_are_not_taken_for_this_runs() -> None:
    before = MemoryChangeLog()
    await _record(before, 5)
    last_seen = await before.newest()
    await asyncio.sleep(0.01)

    after_restart = MemoryChangeLog()
    await _record(after_restart, 5)

    assert await after_restart.newest() > last_seen
    assert await after_restart.after(last_seen, wait=0) is None


async def test_every_process_on_one_redis_shares_one_order(redis_url: str) -> None:
    feeds = [RedisFeed(redis_url) for _ in range(2)]
    logs = [feed.change_log() for feed in feeds]
    try:
        start = await logs[0].newest()
        await asyncio.gather(*(_record(log, 50, owner=f"p{n}") for n, log in enumerate(logs)))

        every = await logs[1].after(start, wait=0)
        assert every is not None
        assert [change.change_id for change in every] == list(range(start + 1, start + 101))
        assert sorted(change.owner or "" for change in every) == ["p0"] * 50 + ["p1"] * 50
    finally:
        for feed in feeds:
            await feed.aclose()


async def test_a_change_redis_could_not_take_becomes_a_reset_for_the_readers(
        own_redis: RedisServer) -> None:
    feed = RedisFeed(own_redis.url)
    log = feed.change_log()
    try:
        await log.record("job", '{"n": 1}')
        last_seen = await log.newest()
        own_redis.stop()
        await log.record("job", '{"n": 2}')  # lost: logged, never raised into a job's change
        own_redis.start()

        await log.record("job", '{"n": 3}')

        after = await log.after(last_seen, wait=0)
        assert after is not None
        assert [(change.kind, change.data) for change in after] == [
            ("reset", "{}"), ("job", '{"n": 3}')]
    finally:
        await feed.aclose()
