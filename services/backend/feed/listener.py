"""Following many job streams with one blocking read: a single ``XREAD BLOCK`` for them all.

``XREAD BLOCK`` holds its connection until something arrives. One such read per open progress
stream would take a pooled connection each (200 streams: 200 connections), and the publishers
sharing that pool would wait behind them. Here one task per process blocks on every followed
stream at once, on the one connection it keeps, and wakes the readers of whichever stream grew;
every other command (``XADD``, ``XRANGE``) is short and finds the rest of the pool free.

A reader that follows a stream the read in flight does not cover interrupts it
(``CLIENT UNBLOCK``), so the read starts over with that stream at once rather than when its
block times out. Redis errors reach the readers: they are woken to read again and see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from typing import cast

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

BLOCK_MILLISECONDS = 2_000  # one read's longest block; it starts over after it
LINGER_SECONDS = 5.0  # a stream nobody waits on stays in the read (its next wait is near)
RETRY_SECONDS = 0.5  # after a failed read, before the next
UNBLOCK_TRIES = 20  # the read to interrupt may not have reached the server yet
UNBLOCK_PAUSE = 0.005


CLOSE_SECONDS = 2.0  # a connection that takes longer to close is left to the server


async def closed_within(closing: Awaitable[object], what: str) -> None:
    """Wait for ``closing`` at most ``CLOSE_SECONDS``: redis-py's close can wait for ever on a
    socket that is going (redis/redis-py#3941), and a feed that stops must not hang its
    process's shutdown for it."""
    try:
        await asyncio.wait_for(closing, CLOSE_SECONDS)
    except TimeoutError:
        log.warning("%s did not close within %.0f s; left to close on its own", what,
                    CLOSE_SECONDS)


def entry_event_id(entry_id: str) -> int:
    """The event id of a stream entry: its id is ``{event_id}-0``."""
    return int(entry_id.split("-", 1)[0])


class Watch:
    """One followed stream: where the read goes on from, and who waits for it to grow."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.waiters = 0
        self.idle_since = time.monotonic()
        self.grew = asyncio.Event()  # replaced at each growth: take it before reading

    def wake(self) -> None:
        """Wake everyone waiting on the stream now; later waiters wait for the next growth."""
        self.grew.set()
        self.grew = asyncio.Event()


class StreamListener:
    """One process's blocking read of every stream its readers wait on."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._control = Redis(connection_pool=pool)
        self._watches: dict[str, Watch] = {}
        self._wanted = asyncio.Event()
        self._reading: dict[str, int] = {}  # the streams the read in flight covers, from where
        self._reader_id: int | None = None  # the server's id of the reading connection
        self._round = 0
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    @contextlib.asynccontextmanager
    async def watch(self, key: str, after: int) -> AsyncIterator[Watch]:
        """Follow stream ``key`` for entries after ``after`` while the block runs."""
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = Watch(after)
        watch.after = min(watch.after, after)
        watch.waiters += 1
        try:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._listen(), name="redis-feed-listener")
            self._wanted.set()
            covered = self._reading.get(key)
            if covered is None or covered > after:
                await self._interrupt()
            yield watch
        finally:
            watch.waiters -= 1
            watch.idle_since = time.monotonic()

    async def aclose(self) -> None:
        """Stop reading and give the connection back, each within ``CLOSE_SECONDS``."""
        if self._task is not None:
            self._task.cancel()
            await closed_within(asyncio.gather(self._task, return_exceptions=True),
                                "the blocking read")
        await closed_within(self._control.aclose(), "the control connection")

    async def _interrupt(self) -> None:
        """Have the read in flight start over (and so take in the streams it lacks)."""
        started = self._round
        for _ in range(UNBLOCK_TRIES):
            if self._round != started:
                return  # a new read began: it covers every stream watched now
            if self._reader_id is not None and await self._control.client_unblock(
                    self._reader_id):
                return
            await asyncio.sleep(UNBLOCK_PAUSE)

    async def _listen(self) -> None:
        reader = Redis(connection_pool=self._pool, single_connection_client=True)
        try:
            while True:
                await self._wanted.wait()
                self._forget_idle()
                if not self._watches:
                    self._wanted.clear()
                    continue
                try:
                    await self._read(reader)
                except RedisError as error:
                    self._fail(error)
                    await asyncio.sleep(RETRY_SECONDS)
                finally:
                    self._reading = {}
        finally:
            await reader.aclose()

    async def _read(self, reader: Redis) -> None:
        """One blocking read of every watched stream; wake the readers of those that grew."""
        self._reading = {key: watch.after for key, watch in self._watches.items()}
        self._round += 1
        self._reader_id = await reader.client_id()
        reply = cast("list[tuple[str, list[tuple[str, object]]]] | None",
                     await reader.xread({key: f"{after}-0" for key, after in self._reading.items()},
                                        block=BLOCK_MILLISECONDS))
        if self._failing:
            log.info("the Redis progress feed answers again")
            self._failing = False
        for key, entries in reply or []:
            watch = self._watches.get(key)
            if watch is not None and entries:
                watch.after = max(watch.after, entry_event_id(entries[-1][0]))
                watch.wake()

    def _fail(self, error: RedisError) -> None:
        """The read failed: wake every reader, so each reads again and meets the error."""
        self._reader_id = None
        if not self._failing:
            log.warning("the Redis progress feed cannot read: %s", error)
            self._failing = True
        for watch in self._watches.values():
            watch.wake()

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for key, watch in list(self._watches.items()):
            if watch.waiters == 0 and now - watch.idle_since > LINGER_SECONDS:
                del self._watches[key]
