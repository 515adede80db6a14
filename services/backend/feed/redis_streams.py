"""The progress feed on Redis Streams (``AURORA_REDIS_URL``), so any API replica serves any job.

One stream per job, ``aurora:progress:{job_id}``, whose entry ids ARE the event ids
(``{event_id}-0``): Redis itself refuses an id at or below the stream's last, so a state
published twice (a stale worker's redelivery) reaches no stream twice; the feed takes that
refusal as "already published". A stream is kept a day while its job runs (so one a crashed
process left behind still goes away) and an hour after the job ends: long enough for a client
back from a dropped connection, a sleeping laptop or another replica to resume exactly, and as
long as the signed asset URLs in its states stay valid, so a longer replay would be of no use.

The change log of every job (``feed.changes``) is one more stream, ``aurora:changes``, on the
same connections: a small script takes the next change id and appends under it in one step, so
ids are consecutive across every replica and worker. It keeps the newest ``HELD_CHANGES``.

Blocking reads go through one ``StreamListener`` per process (see there), on the process's one
connection pool. Every Redis error leaves this module as ``FeedUnavailable``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

from services.backend.feed.changes import HELD_CHANGES, Change, ChangeKind, covers
from services.backend.feed.listener import StreamListener, closed_within, entry_event_id
from services.backend.feed.protocol import FeedUnavailable
from services.contract import ProgressResponse, has_ended

log = logging.getLogger(__name__)

KEY_PREFIX = "aurora:progress:"
RUNNING_SECONDS = 24 * 3600  # a running job's stream outlives any render
ENDED_SECONDS = 3600  # an ended job's stream, for late resumes (as long as its signed URLs)
POOL_SIZE = 32  # short commands, and the listener's one blocking read
POOL_WAIT_SECONDS = 5.0  # how long a command waits for a free connection
CONNECT_SECONDS = 2.0
SOCKET_SECONDS = 5.0  # above the listener's block, so a blocking read never times out
REFUSED_ID = "equal or smaller than the target stream top item"
CHANGES_KEY = "aurora:changes"
CHANGES_NEWEST_KEY = "aurora:changes:newest"
CHANGES_PER_READ = 500
# KEYS: the log, its newest id; ARGV: how many to keep, "1" for a reset first (a gap), then
# the change's kind, data and owner
_RECORD_CHANGE = """
local function append(kind, data, owner)
  local id = redis.call('INCR', KEYS[2])
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], id .. '-0',
             'kind', kind, 'data', data, 'owner', owner)
end
if ARGV[2] == '1' then append('reset', '{}', '') end
append(ARGV[3], ARGV[4], ARGV[5])
"""


@contextlib.contextmanager
def _unavailable_as_feed_error() -> Iterator[None]:
    try:
        yield
    except RedisError as error:
        raise FeedUnavailable(f"Redis: {error}") from error


class RedisFeed:
    """Each job's states in its own Redis Stream; followers woken by one blocking read."""

    def __init__(self, url: str) -> None:
        pool = BlockingConnectionPool.from_url(
            url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS, decode_responses=True,
            socket_connect_timeout=CONNECT_SECONDS, socket_timeout=SOCKET_SECONDS,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=2))
        self._redis = Redis.from_pool(pool)
        self._listener = StreamListener(pool)

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Append state ``event_id`` to the job's stream and set how long the stream lives."""
        key = KEY_PREFIX + job_id
        with _unavailable_as_feed_error():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xadd(key, {"state": state.model_dump_json()}, id=f"{event_id}-0")
                pipe.expire(key, ENDED_SECONDS if has_ended(state.status) else RUNNING_SECONDS)
                added, _ = await pipe.execute(raise_on_error=False)
            if isinstance(added, ResponseError):
                if REFUSED_ID not in str(added):
                    raise added
                log.debug("job %s: event %d already published", job_id, event_id)

    async def after(
        self, job_id: str, event_id: int, *, wait: float
    ) -> list[tuple[int, ProgressResponse]]:
        """The states in the job's stream after ``event_id``, waiting up to ``wait`` s."""
        key = KEY_PREFIX + job_id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        with _unavailable_as_feed_error():
            states = await self._range(key, event_id)
            if states or wait <= 0:
                return states
            async with self._listener.watch(key, event_id) as watch:
                while True:
                    grew = watch.grew  # taken before the read: a growth after it wakes us
                    states = await self._range(key, event_id)
                    left = deadline - loop.time()
                    if states or left <= 0:
                        return states
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(grew.wait(), left)

    def change_log(self, *, held: int = HELD_CHANGES) -> RedisChangeLog:
        """The change log of every job, on this feed's connections, keeping about the newest
        ``held`` changes."""
        return RedisChangeLog(self._redis, self._listener, held=held)

    async def aclose(self) -> None:
        """Stop the blocking read and close the pool (``closed_within`` its time)."""
        await self._listener.aclose()
        await closed_within(self._redis.aclose(), "the feed's connection pool")

    async def _range(self, key: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        entries = cast("list[tuple[str, dict[str, str]]]",  # answers decoded: text
                       await self._redis.xrange(key, min=f"({event_id}-0", max="+"))
        return [(entry_event_id(entry_id), ProgressResponse.model_validate_json(fields["state"]))
                for entry_id, fields in entries]


class RedisChangeLog:
    """Every job's changes in one Redis Stream, shared by every process of a cluster."""

    def __init__(self, redis: Redis, listener: StreamListener, *, held: int) -> None:
        self._redis = redis
        self._listener = listener
        self._held = held
        self._append = redis.register_script(_RECORD_CHANGE)
        self._gap = False  # a change was lost: a reset goes first once Redis answers

    async def record(self, kind: ChangeKind, data: str, owner: str | None = None) -> None:
        """Append a change with the next id, after a ``reset`` if one was lost before; a
        change Redis does not take is logged and leaves that gap."""
        try:
            await self._append(keys=[CHANGES_KEY, CHANGES_NEWEST_KEY],
                               args=[self._held, "1" if self._gap else "0", kind, data,
                                     owner or ""])
        except RedisError as error:
            log.warning("a %s change was not recorded for the lists: %s", kind, error)
            self._gap = True
            return
        self._gap = False

    async def newest(self) -> int:
        """The id of the newest change (0 before the first)."""
        with _unavailable_as_feed_error():
            return int(await self._redis.get(CHANGES_NEWEST_KEY) or 0)

    async def after(self, change_id: int, *, wait: float) -> list[Change] | None:
        """The changes after ``change_id``, waiting up to ``wait`` s; None: not all held."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        with _unavailable_as_feed_error():
            changes = await self._read(change_id)
            if changes is None or changes or wait <= 0:
                return changes
            async with self._listener.watch(CHANGES_KEY, change_id) as watch:
                while True:
                    grew = watch.grew  # taken before the read: a growth after it wakes us
                    changes = await self._read(change_id)
                    left = deadline - loop.time()
                    if changes is None or changes or left <= 0:
                        return changes
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(grew.wait(), left)

    async def _read(self, change_id: int) -> list[Change] | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(CHANGES_NEWEST_KEY)
            pipe.xrange(CHANGES_KEY, min="-", max="+", count=1)
            newest, first = await pipe.execute()
        oldest = entry_event_id(first[0][0]) if first else None
        if not covers(change_id, oldest, int(newest or 0)):
            return None
        entries = cast("list[tuple[str, dict[str, str]]]",
                       await self._redis.xrange(CHANGES_KEY, min=f"({change_id}-0", max="+",
                                                count=CHANGES_PER_READ))
        return [Change(entry_event_id(entry_id), cast("ChangeKind", fields["kind"]),
                       fields["data"], fields["owner"] or None)
                for entry_id, fields in entries]
