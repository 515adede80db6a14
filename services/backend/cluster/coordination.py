"""What a cluster's processes agree on through Redis: who may change a job, who renders what,
which jobs were cancelled and which workers are alive.

- **A job's lock.** Every change of a job's record on a cluster (a worker taking or finishing
  a piece, a cancel, a takeover) happens under it, so two workers finishing scenes at once
  publish the job's stages in order, each once.
- **A piece's lease.** The worker rendering a piece renews it every few seconds; a lease that
  runs out means the worker is gone, and its piece is given to another (``dispatch.py``).
  Taking a lease is ``SET NX``: a redelivered task whose piece is still leased renders nothing.
- **A cancel flag** per job, which a worker's render loop reads between frames.
- **Live workers**, each announcing itself with its concurrency, for the ETA.
- **Fair share**: a lock on releasing waiting jobs to the workers, and when each owner's last
  job was released (``release.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

LOCK_SECONDS = 20.0  # a lock whose holder died frees itself after this
LOCK_WAIT_SECONDS = 30.0
LEASE_SECONDS = 15.0  # a lost worker is noticed this long after its last renewal
RENEW_SECONDS = 3.0
CANCELLED_SECONDS = 24 * 3600  # a cancel flag outlives any render of its job
ANNOUNCE_SECONDS = 5.0
_WORKERS = "aurora:workers"
_RELEASE_LOCK = "aurora:lock:release"
_SERVED = "aurora:served"  # owner ("" for none) -> when a job of theirs was last released


def _lease_key(job_id: str, piece: str) -> str:
    return f"aurora:lease:{job_id}:{piece}"


class Coordination:
    """Locks, leases, cancel flags and live workers, on one Redis client."""

    def __init__(self, url: str) -> None:
        # A connection Redis closed (a restart) is opened again at once, not failed.
        self._redis = Redis.from_url(url, decode_responses=True, socket_connect_timeout=2,
                                     socket_timeout=5,
                                     retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3))

    @asynccontextmanager
    async def job_lock(self, job_id: str) -> AsyncIterator[None]:
        """Hold the job's lock for the block (``redis.exceptions.LockError`` if it can't be had)."""
        async with self._redis.lock(f"aurora:lock:{job_id}", timeout=LOCK_SECONDS,
                                    blocking_timeout=LOCK_WAIT_SECONDS):
            yield

    @asynccontextmanager
    async def release_lock(self) -> AsyncIterator[None]:
        """Hold the cluster's one lock on releasing waiting jobs to the workers, so two replicas
        never release at once (``LockError`` as for ``job_lock``)."""
        async with self._redis.lock(_RELEASE_LOCK, timeout=LOCK_SECONDS,
                                    blocking_timeout=LOCK_WAIT_SECONDS):
            yield

    async def served_at(self) -> dict[str | None, float]:
        """When each owner's last job was released to the workers (owner None: nobody signs
        in)."""
        served = cast("dict[str, str]", await self._redis.hgetall(_SERVED))
        return {owner or None: float(at) for owner, at in served.items()}

    async def count_served(self, owner: str | None) -> None:
        """Record that a job of ``owner`` was released to the workers now."""
        await self._redis.hset(_SERVED, owner or "", str(time.time()))

    async def queued_tasks(self, queue: str) -> int:
        """How many tasks wait in the broker's ``queue`` (a Redis list), untaken."""
        return int(await self._redis.llen(queue))

    async def take_lease(self, job_id: str, piece: str, holder: str) -> bool:
        """Lease the piece to ``holder``; False if someone holds it already."""
        taken = await self._redis.set(_lease_key(job_id, piece), holder, nx=True,
                                      px=int(LEASE_SECONDS * 1000))
        return bool(taken)

    async def renew_lease(self, job_id: str, piece: str, holder: str) -> bool:
        """Extend the holder's lease; False if it ran out or is someone else's now."""
        key = _lease_key(job_id, piece)
        if await self._redis.get(key) != holder:
            return False
        return bool(await self._redis.pexpire(key, int(LEASE_SECONDS * 1000)))

    async def lease_held(self, job_id: str, piece: str) -> bool:
        """Whether some worker holds the piece's lease."""
        return bool(await self._redis.exists(_lease_key(job_id, piece)))

    async def drop_lease(self, job_id: str, piece: str, holder: str) -> None:
        """Give the lease back, if it is still the holder's."""
        key = _lease_key(job_id, piece)
        if await self._redis.get(key) == holder:
            await self._redis.delete(key)

    async def cancel(self, job_id: str) -> None:
        """Tell every worker rendering the job to stop."""
        await self._redis.set(f"aurora:cancelled:{job_id}", "1", ex=CANCELLED_SECONDS)

    async def cancelled(self, job_id: str) -> bool:
        """Whether the job was cancelled."""
        return bool(await self._redis.exists(f"aurora:cancelled:{job_id}"))

    async def announce_worker(self, name: str, concurrency: int) -> None:
        """Say the worker ``name`` is alive and renders ``concurrency`` pieces at once."""
        until = time.time() + 3 * ANNOUNCE_SECONDS
        await self._redis.hset(_WORKERS, name, json.dumps([concurrency, until]))

    async def retire_worker(self, name: str) -> None:
        """The worker ``name`` is stopping."""
        await self._redis.hdel(_WORKERS, name)

    async def live_concurrency(self) -> int:
        """How many pieces the live workers render at once, all together."""
        announced = cast("dict[str, str]", await self._redis.hgetall(_WORKERS))
        now = time.time()
        return sum(concurrency for concurrency, until in map(json.loads, announced.values())
                   if until > now)

    async def broker_empty(self, queues: tuple[str, ...], unacked_key: str) -> bool:
        """Whether the broker holds no task at all: none queued, none held by a worker."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for queue in queues:
                pipe.llen(queue)
            pipe.hlen(unacked_key)
            counts = await pipe.execute()
        return not any(counts)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._redis.aclose()
