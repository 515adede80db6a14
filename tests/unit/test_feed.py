"""Both progress feeds keep one promise: every state after an id, in order, each once; a waiting
follower wakes on the next. The Redis feed also keeps its streams across a Redis restart, holds
one connection however many follow, and fails as ``FeedUnavailable`` only (real servers)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator

import pytest

from services.backend.feed import FeedUnavailable, MemoryFeed, ProgressFeed
from services.backend.feed.listener import BLOCK_MILLISECONDS
from services.backend.feed.redis_streams import ENDED_SECONDS, KEY_PREFIX, POOL_SIZE, RedisFeed
from services.contract import ProgressResponse
from testkit.redis_server import RedisServer

# The limits are fractions of the listener's block, not absolute speeds: loose enough for a busy
# 2-core machine, yet a follower woken only when a block ran out (or a publisher queued behind
# one) is always later than them.
BLOCK_SECONDS = BLOCK_MILLISECONDS / 1000
WAKE_SECONDS = BLOCK_SECONDS / 2  # from a publish to its followers' wake-up
PUBLISH_SECONDS = BLOCK_SECONDS * 3 / 4  # for 200 publishes, started 0.2 s into the block
CLIENT_SAMPLES = 10  # reads of the server's client counts, which change between its reads


def _state(status: str = "processing", progress: float = 0) -> ProgressResponse:
    return ProgressResponse(job_id="a", status=status, progress=progress)


@pytest.fixture(params=["memory", "redis"])
async def feed(request: pytest.FixtureRequest) -> AsyncIterator[ProgressFeed]:
    """Each engine in turn; the Redis one on the session's server, emptied first."""
    engine: ProgressFeed = (RedisFeed(request.getfixturevalue("redis_url"))
                            if request.param == "redis" else MemoryFeed())
    yield engine
    await engine.aclose()


@pytest.fixture
async def redis_feed(own_redis: RedisServer) -> AsyncIterator[RedisFeed]:
    """A Redis feed on a server of the test's own, which the test may stop."""
    engine = RedisFeed(own_redis.url)
    yield engine
    await engine.aclose()


def _ids(states: list[tuple[int, ProgressResponse]]) -> list[int]:
    return [event_id for event_id, _ in states]


async def _client_counts(server: RedisServer) -> list[dict[str, int]]:
    """The server's client counts, read ``CLIENT_SAMPLES`` times a few ms apart: one read
    may fall between two blocking reads, when none is blocked."""
    samples = []
    with server.client() as probe:
        for _ in range(CLIENT_SAMPLES):
            samples.append(probe.info("clients"))
            await asyncio.sleep(0.02)
    return samples


async def test_a_follower_gets_every_state_after_its_last_event_in_order(
        feed: ProgressFeed) -> None:
    for event_id in range(1, 6):
        await feed.publish("a", event_id, _state(progress=event_id * 10))
    await feed.publish("b", 1, _state())

    after_two = await feed.after("a", 2, wait=0)

    assert [(event_id, state.progress) for event_id, state in after_two] == [
        (3, 30), (4, 40), (5, 50)]
    assert _ids(await feed.after("a", 0, wait=0)) == [1, 2, 3, 4, 5]
    assert await feed.after("a", 5, wait=0.05) == []
    assert await feed.after("unknown", 0, wait=0.05) == []


async def test_a_waiting_follower_wakes_on_the_next_state(feed: ProgressFeed) -> None:
    await feed.publish("a", 1, _state())
    waiting = asyncio.create_task(feed.after("a", 1, wait=10))
    await asyncio.sleep(0.1)
    assert not waiting.done()

    published = time.monotonic()
    await feed.publish("a", 2, _state("completed"))
    woken = await asyncio.wait_for(waiting, 2)

    assert _ids(woken) == [2]
    assert woken[0][1].status == "completed"
    assert time.monotonic() - published < WAKE_SECONDS


async def test_a_follower_of_another_job_wakes_as_fast(feed: ProgressFeed) -> None:
    first = asyncio.create_task(feed.after("a", 0, wait=10))
    await asyncio.sleep(0.2)  # the Redis feed's blocking read now waits on "a" alone
    second = asyncio.create_task(feed.after("b", 0, wait=10))
    await asyncio.sleep(0.3)

    published = time.monotonic()
    await feed.publish("b", 1, _state())

    assert _ids(await asyncio.wait_for(second, 3)) == [1]
    assert time.monotonic() - published < WAKE_SECONDS  # the read started over for "b"
    first.cancel()


async def test_a_state_published_twice_is_delivered_once(feed: ProgressFeed) -> None:
    await feed.publish("a", 1, _state(progress=1))
    await feed.publish("a", 2, _state(progress=2))
    waiting = asyncio.create_task(feed.after("a", 2, wait=0.5))
    await feed.publish("a", 2, _state(progress=99))  # a stale writer's redelivery
    await feed.publish("a", 1, _state(progress=99))  # and an older one still
    assert await waiting == []

    await feed.publish("a", 3, _state(progress=3))

    held = await feed.after("a", 0, wait=0)
    assert [(event_id, state.progress) for event_id, state in held] == [(1, 1), (2, 2), (3, 3)]


async def test_two_hundred_followers_wake_and_publishers_are_not_held_up(
        feed: ProgressFeed) -> None:
    jobs = [f"job{n}" for n in range(200)]
    waiting = [asyncio.create_task(feed.after(job_id, 0, wait=20)) for job_id in jobs]
    await asyncio.sleep(0.2)

    started = time.monotonic()
    await asyncio.gather(*(feed.publish(job_id, 1, _state()) for job_id in jobs))
    published = time.monotonic()
    woken = await asyncio.wait_for(asyncio.gather(*waiting), 5)

    assert published - started < PUBLISH_SECONDS
    assert [_ids(states) for states in woken] == [[1]] * 200
    assert time.monotonic() - published < WAKE_SECONDS


async def test_two_hundred_redis_followers_share_one_blocking_read(
        own_redis: RedisServer) -> None:
    """On a server of its own: the counts are this feed's, whatever other tests left."""
    feed = RedisFeed(own_redis.url)
    try:
        waiting = [asyncio.create_task(feed.after(f"job{n}", 0, wait=20)) for n in range(200)]
        await asyncio.sleep(0.5)
        samples = await _client_counts(own_redis)
        await feed.publish("job0", 1, _state())
        assert _ids(await asyncio.wait_for(waiting[0], 2)) == [1]
    finally:
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        await feed.aclose()

    blocked = [clients["blocked_clients"] for clients in samples]
    assert max(blocked) == 1, blocked  # one read at a time (0 while it starts over)
    assert max(clients["connected_clients"] for clients in samples) <= POOL_SIZE + 1  # and probe


async def test_redis_keeps_every_stream_and_id_across_its_restart(
        own_redis: RedisServer, redis_feed: RedisFeed) -> None:
    for event_id in (1, 2, 3):
        await redis_feed.publish("a", event_id, _state(progress=event_id))
    await redis_feed.publish("b", 1, _state("completed"))

    own_redis.restart(signal.SIGKILL)  # a crash: only the append-only file is left

    assert _ids(await redis_feed.after("a", 0, wait=0)) == [1, 2, 3]
    assert _ids(await redis_feed.after("b", 0, wait=0)) == [1]
    await redis_feed.publish("a", 3, _state(progress=99))
    await redis_feed.publish("a", 4, _state(progress=4))
    held = await redis_feed.after("a", 2, wait=0)
    assert [(event_id, state.progress) for event_id, state in held] == [(3, 3), (4, 4)]


async def test_a_redis_stream_is_kept_an_hour_after_its_job_ends(
        redis_url: str, redis_server: RedisServer) -> None:
    feed = RedisFeed(redis_url)
    try:
        await feed.publish("a", 1, _state())
        with redis_server.client() as probe:
            while_running = probe.ttl(KEY_PREFIX + "a")
            await feed.publish("a", 2, _state("failed"))
            after_the_end = probe.ttl(KEY_PREFIX + "a")
    finally:
        await feed.aclose()
    assert while_running > ENDED_SECONDS
    assert 0 < after_the_end <= ENDED_SECONDS


async def test_redis_going_away_is_feed_unavailable_and_its_return_is_noticed(
        own_redis: RedisServer, redis_feed: RedisFeed) -> None:
    await redis_feed.publish("a", 1, _state())
    waiting = asyncio.create_task(redis_feed.after("a", 1, wait=20))
    await asyncio.sleep(0.2)

    own_redis.stop()

    with pytest.raises(FeedUnavailable):
        await asyncio.wait_for(waiting, 3)
    with pytest.raises(FeedUnavailable):
        await redis_feed.publish("a", 2, _state())
    with pytest.raises(FeedUnavailable):
        await redis_feed.after("a", 0, wait=1)

    own_redis.start()
    waiting = asyncio.create_task(redis_feed.after("a", 1, wait=20))
    await asyncio.sleep(0.2)
    await redis_feed.publish("a", 2, _state())
    assert _ids(await asyncio.wait_for(waiting, 3)) == [2]
