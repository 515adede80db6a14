"""The job queue of an API replica on a cluster: jobs go to the workers, nothing stays here.

A new job is stored and held until its turn comes in fair share across owners; then its
pieces (its scenes, then its music) are sent to the workers' queue (``release.py``), and the
workers start it (``runner.py``). A cancel, under the job's lock, ends the
job and raises its cancel flag, which stops any worker rendering it within a second; its
pieces still queued do nothing when taken. Every replica also watches the jobs under way:
a piece whose worker's lease ran out is given a new attempt number and queued again, ahead of
new jobs, so the job resumes from the pieces it has finished. So is a piece no worker took
while the broker held no task at all for two rounds: its task was lost on the way (a worker
killed as it received it, or after it finished the last piece but before it queued the
composition).
"""

from __future__ import annotations

import asyncio
import logging

from celery import Celery

from services.backend.cluster.celery_app import BROKER_QUEUES, UNACKED_KEY, send_piece
from services.backend.cluster.coordination import Coordination
from services.backend.cluster.release import Releaser
from services.backend.job_log import by, note
from services.backend.picture_sizes import RenderSize
from services.backend.pieces import is_finished
from services.backend.publisher import Publisher
from services.backend.queue import (
    JobAlreadyEnded,
    JobNotFound,
    NoWaitingLine,
    RetryNotSupported,
    new_record,
)
from services.backend.store import JobRecord, JobStore
from services.contract import CANCELLED_ERROR, GenerateRequest, JobStatus, QueueState

log = logging.getLogger(__name__)

WATCH_SECONDS = 5.0  # with the lease's 15 s, a lost worker is noticed within 20 s
MAX_ATTEMPTS = 3  # a piece whose workers are lost this often fails the job


class ClusterQueue:
    """Submits, cancels and watches over jobs rendered by Celery workers."""

    def __init__(self, *, store: JobStore, publisher: Publisher, coordination: Coordination,
                 celery: Celery, render_size: RenderSize) -> None:
        self._store = store
        self._publisher = publisher
        self._coordination = coordination
        self._celery = celery
        self._render_size = render_size
        self._releaser = Releaser(store=store, coordination=coordination, celery=celery)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Release held jobs in their turn, and watch the jobs under way for lost workers."""
        self._tasks = [asyncio.create_task(self._releaser.run(), name="job-releaser"),
                       asyncio.create_task(self._watch(), name="lease-watcher")]

    async def stop(self) -> None:
        """Stop releasing and watching (the jobs go on, on the workers)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._coordination.aclose()

    async def submit(self, request: GenerateRequest, *, owner: str | None = None) -> JobRecord:
        """Store a new job, held until its turn (``release.py``)."""
        record = new_record(request, self._render_size, owner)
        await self._store.insert(record)
        await note(self._store, record.job_id, f"Queued{by(owner)}")
        await self._publisher.publish(record)
        self._releaser.look_now()
        return record

    async def cancel(self, job_id: str) -> JobRecord:
        """End a queued or running job as "Cancelled by user" and stop its workers."""
        async with self._coordination.job_lock(job_id):
            record = await self._store.get(job_id)
            if record is None:
                raise JobNotFound(job_id)
            if record.ended:
                raise JobAlreadyEnded(job_id)
            await self._publisher.republish(record)  # in case its publisher died
            await self._coordination.cancel(job_id)
            await self._publisher.fail(record, CANCELLED_ERROR)
        return record

    async def run_next(self, job_id: str) -> None:
        """The broker's queue takes pieces in the order they came: none can be moved."""
        raise NoWaitingLine(job_id)

    async def state(self, owner: str | None) -> QueueState:
        """No line here to say how long a new job would wait behind."""
        raise NoWaitingLine(owner)

    async def retry(self, job_id: str) -> JobRecord:
        """Not yet on a cluster: its workers would need the job's pieces queued again."""
        raise RetryNotSupported(job_id)

    async def _watch(self) -> None:
        unsent: set[tuple[str, str]] = set()  # untaken pieces while the broker was empty
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                for record in await self._store.with_status(JobStatus.PROCESSING):
                    for name in await self._lost_pieces(record):
                        await self._take_over(record.job_id, name, was_taken=True)
                unsent = await self._requeue_unsent(unsent)
            except Exception:  # a store or Redis away this round: the next round looks again
                log.exception("watching the jobs under way failed")

    async def _lost_pieces(self, record: JobRecord) -> list[str]:
        """The pieces a worker took, has not finished and no longer holds the lease of."""
        return [name for name, entry in record.work.items()
                if entry.get("taken_at") is not None and not is_finished(record, name)
                and not await self._coordination.lease_held(record.job_id, name)]

    async def _requeue_unsent(self, seen_before: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Queue again the pieces untaken in this round and the last while the broker held no
        task; the pieces untaken now, for the next round."""
        if not await self._coordination.broker_empty(BROKER_QUEUES, UNACKED_KEY):
            return set()
        untaken = {(record.job_id, name)
                   for status in (JobStatus.PENDING, JobStatus.PROCESSING)
                   for record in await self._store.with_status(status)
                   for name in _untaken(record)}
        for job_id, name in untaken & seen_before:
            await self._take_over(job_id, name, was_taken=False)
        return untaken - seen_before

    async def _take_over(self, job_id: str, name: str, *, was_taken: bool) -> None:
        """Give a lost piece a new attempt and queue it again (or fail the job, if too often)."""
        async with self._coordination.job_lock(job_id):
            record = await self._store.get(job_id)
            if record is None or record.ended:
                return
            still_lost = (name in await self._lost_pieces(record) if was_taken
                          else name in _untaken(record))
            if not still_lost:
                return  # another replica was first, or the worker finished after all
            entry = record.work[name]
            entry["attempt"] += 1
            entry["taken_at"] = None
            log.warning("job %s: the task of %s was lost (%s); attempt %d", job_id, name,
                        "its worker is gone" if was_taken else "never taken",
                        entry["attempt"])
            await note(self._store, job_id, f"The render of {name} was lost "
                       f"({'its worker is gone' if was_taken else 'never taken'}): "
                       f"attempt {entry['attempt']}", "warning")
            if entry["attempt"] > MAX_ATTEMPTS:
                await self._publisher.fail(record, f"Rendering failed: {MAX_ATTEMPTS} render "
                                                   f"workers were lost rendering {name}")
                return
            await self._store.save(record)
            await asyncio.to_thread(send_piece, self._celery, job_id, name, entry["attempt"],
                                    resume=True)


def _untaken(record: JobRecord) -> list[str]:
    """The pieces of the job no worker has taken and none has finished."""
    return [name for name, entry in record.work.items()
            if entry.get("taken_at") is None and not is_finished(record, name)]
