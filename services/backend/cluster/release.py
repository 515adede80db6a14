"""Fair share on a cluster: new jobs are held back and released to the workers one at a time,
in the waiting line's turns (``waiting_line.py``), whenever the workers run out of new pieces.

The broker's queue is first come, first served: a job whose pieces were all queued at once
would start after every job queued before it, whoever asked for them. So a new job waits in
the store with its pieces not yet named (``record.work`` empty). Each API replica looks whether
the broker's render queue is empty: at once after a submit, every quarter second while jobs
are held, every two seconds while none is (for the jobs of a replica that died before it
released them). When the queue is empty and jobs are held, one replica, under the cluster's
release lock, rebuilds the line from the store's held jobs and Redis's record of when each
owner was last served, and queues the pieces of the job whose turn it is. The workers finish
the pieces they hold and compositions first (they have a queue of their own ahead), so the
released job's pieces wait in the broker only for a free worker.

A replica that dies between naming a job's pieces and queuing them leaves them untaken; the
dispatcher's watch finds and queues them (``dispatch.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from contextlib import suppress

from celery import Celery

from services.backend.cluster.celery_app import RENDER_QUEUE, send_piece
from services.backend.cluster.coordination import Coordination
from services.backend.job_log import note
from services.backend.pieces import MUSIC, scene_task
from services.backend.store import JobRecord, JobStore
from services.backend.waiting_line import Owner, WaitingLine
from services.contract import JobStatus

log = logging.getLogger(__name__)

LOOK_SECONDS = 0.25  # how often a replica looks whether the workers have run out of pieces
IDLE_LOOK_SECONDS = 2.0  # the same while no job is held


def released(record: JobRecord) -> bool:
    """Whether the job's pieces have been named and queued for the workers."""
    return bool(record.work)


def start_order(waiting: Iterable[JobRecord], served_at: dict[Owner, float]) -> list[JobRecord]:
    """The waiting jobs in the order their pieces will reach the workers: the released ones
    first, in the order they came, then the held ones in fair turns."""
    waiting = sorted(waiting, key=lambda record: record.created_at)
    line = WaitingLine()
    for owner in sorted(served_at, key=served_at.__getitem__):
        line.count_served(owner)
    for record in waiting:
        if not released(record):
            line.put(record.job_id, record.owner)
    held = {record.job_id: record for record in waiting if not released(record)}
    return ([record for record in waiting if released(record)]
            + [held[job_id] for job_id in line.in_order()])


class Releaser:
    """This replica's part in releasing held jobs: looks, and releases when it is time."""

    def __init__(self, *, store: JobStore, coordination: Coordination, celery: Celery) -> None:
        self._store = store
        self._coordination = coordination
        self._celery = celery
        self._look_now = asyncio.Event()

    def look_now(self) -> None:
        """A job was held: look at once instead of at the next quarter second."""
        self._look_now.set()

    async def run(self) -> None:
        """Look, release when the workers have run out of new pieces, forever."""
        holding = True  # until a look finds out
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._look_now.wait(),
                                       LOOK_SECONDS if holding else IDLE_LOOK_SECONDS)
            self._look_now.clear()
            try:
                holding = await self._release_next()
            except Exception:  # a store or Redis away this time: the next look tries again
                log.exception("releasing the next waiting job failed")

    async def _release_next(self) -> bool:
        """Queue the pieces of the held job whose turn it is, if the render queue is empty;
        whether jobs are held (still, or the queue was busy: a look costs one LLEN then)."""
        if await self._coordination.queued_tasks(RENDER_QUEUE):
            return True
        if not await self._held():
            return False
        async with self._coordination.release_lock():
            if await self._coordination.queued_tasks(RENDER_QUEUE):
                return True  # another replica released one meanwhile
            held = await self._held()
            for record in start_order(held, await self._coordination.served_at()):
                if await self._release(record.job_id):
                    return len(held) > 1
            return False

    async def _held(self) -> list[JobRecord]:
        """The waiting jobs not yet released, from the store."""
        return [record for record in await self._store.with_status(JobStatus.PENDING)
                if not released(record)]

    async def _release(self, job_id: str) -> bool:
        """Name the job's pieces, count its owner served and queue the pieces; False if it
        was cancelled or released meanwhile."""
        async with self._coordination.job_lock(job_id):
            record = await self._store.get(job_id)
            if record is None or record.ended or released(record):
                return False
            names = [*(scene_task(number) for number in range(1, record.scene_count + 1)),
                     MUSIC]
            record.work = {name: {"attempt": 1, "taken_at": None} for name in names}
            await self._store.save(record)
        await self._coordination.count_served(record.owner)
        for name in names:
            await asyncio.to_thread(send_piece, self._celery, job_id, name, 1, resume=False)
        await note(self._store, job_id, f"Sent to the render workers ({len(names)} pieces)")
        return True
