"""The job queue: jobs start in fair turns across owners (``waiting_line.py``), at most
``slots`` at once; any can be cancelled, queued or running, and a queued one moved ahead of
its owner's others, and a failed one taken up again (``retry.py``) behind its owner's others.

Every waiting job's state says where it stands (its queue position and ETA), so each change
to the line publishes the new state of the jobs whose turn it moved: a newcomer, a cancel,
a run-next, a start.

A job's record is stored before it is queued, so a restart loses no queued job: ``start``
queues again every job still pending and marks the ones a previous process left half-done.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Protocol

from services.backend.driver import JobDriver
from services.backend.job_log import by, note
from services.backend.persist import until_stored
from services.backend.picture_sizes import RenderSize
from services.backend.planner import EtaPlanner
from services.backend.publisher import Publisher
from services.backend.retry import may_retry, reopen
from services.backend.script import scene_count
from services.backend.store import JobRecord, JobStore, StoreUnavailable
from services.backend.waiting_line import WaitingLine
from services.contract import CANCELLED_ERROR, GenerateRequest, JobStatus, QueueState, stages

log = logging.getLogger(__name__)


def new_record(request: GenerateRequest, render_size: RenderSize,
               owner: str | None) -> JobRecord:
    """A new job's record, waiting to start; ``owner`` is who asked (None: nobody signs in)."""
    now = time.time()
    return JobRecord(
        job_id=uuid.uuid4().hex[:16], status=JobStatus.PENDING, prompt=request.prompt,
        duration=request.duration, aspect_ratio=request.aspect_ratio, style=request.style,
        scene_count=scene_count(request.duration), current_stage=stages.PENDING,
        progress=0, created_at=now, updated_at=now, render_size=render_size, owner=owner,
        webhook_url=request.webhook_url,
    )


class JobIntake(Protocol):
    """What the routes and the backend need of a queue, whoever renders its jobs."""

    async def start(self) -> None:
        """Take up the jobs the store holds."""

    async def stop(self) -> None:
        """Stop taking jobs."""

    async def submit(self, request: GenerateRequest, *, owner: str | None = None) -> JobRecord:
        """Store a new job of ``owner`` and queue it."""

    async def cancel(self, job_id: str) -> JobRecord:
        """End a queued or running job as "Cancelled by user" (``JobNotFound``,
        ``JobAlreadyEnded``)."""

    async def run_next(self, job_id: str) -> None:
        """Move a queued job ahead of its owner's other queued jobs (``JobNotFound``,
        ``JobNotPending``, ``NoWaitingLine``)."""

    async def state(self, owner: str | None) -> QueueState:
        """The jobs waiting and running, and how long a job of ``owner`` submitted now would
        wait (``NoWaitingLine``)."""

    async def retry(self, job_id: str) -> JobRecord:
        """Queue a failed job again as its next attempt, keeping its finished work
        (``JobNotFound``, ``JobNotFailed``, ``RetryNotSupported``)."""


class JobNotFound(LookupError):
    """No job has this id."""


class JobAlreadyEnded(Exception):
    """The job has completed or failed; it cannot be cancelled."""


class JobNotPending(Exception):
    """The job is not waiting in the line (it has started or ended): it cannot be moved."""


class JobNotFailed(Exception):
    """The job has not failed (it waits, runs or has completed): it cannot be retried."""


class RetryNotSupported(Exception):
    """This queue cannot take a failed job up again (a cluster's, for now)."""


class NoWaitingLine(Exception):
    """This queue keeps no line of its own (a cluster's: the broker's queue holds the jobs),
    so it can neither move a job in it nor say how long a new one would wait."""


class JobQueue:
    """Takes jobs from the line into ``slots`` slots and has the driver run each."""

    def __init__(self, *, store: JobStore, line: WaitingLine, publisher: Publisher,
                 driver: JobDriver, planner: EtaPlanner, slots: int,
                 render_size: RenderSize) -> None:
        self._store = store
        self._line = line
        self._publisher = publisher
        self._driver = driver
        self._planner = planner
        self._slots = slots
        self._render_size = render_size
        self._running: dict[str, asyncio.Task[None]] = {}
        self._consumers: list[asyncio.Task[None]] = []
        self._line_told = asyncio.Lock()  # held while waiting jobs' new states are written

    async def start(self) -> None:
        """Mark jobs a previous process left half-done, requeue waiting ones with their owners
        (oldest first), start consuming.

        Who was served last is not carried over: the pending records read here have never
        started, and finding each owner's latest start would mean reading every ended job. So
        after a restart every owner counts as never served, and the first round goes by who
        has waited longest.
        """
        for job_id in await self._store.fail_interrupted():
            log.warning("job %s was interrupted by a restart", job_id)
            await note(self._store, job_id, "Interrupted by a restart of the backend", "error")
            await self._publisher.interrupted(job_id)
        for record in await self._store.with_status(JobStatus.PENDING):
            self._line.put(record.job_id, record.owner)
        self._consumers = [asyncio.create_task(self._consume(), name=f"job-consumer-{n}")
                           for n in range(self._slots)]

    async def stop(self) -> None:
        """Stop consuming; running jobs stay ``processing`` in the store, so the next start
        marks them interrupted."""
        self._driver.stop()
        for task in [*self._consumers, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*self._consumers, *self._running.values(), return_exceptions=True)

    async def submit(self, request: GenerateRequest, *, owner: str | None = None) -> JobRecord:
        """Store a new job of ``owner``, queue it, then publish its first state (its place and
        ETA in the line already) and the new state of the jobs it was put ahead of."""
        record = new_record(request, self._render_size, owner)
        await self._store.insert(record)
        await note(self._store, record.job_id, f"Queued{by(owner)}")
        async with self._line_told:  # a slot that takes it reads it once its first state is in
            self._line.put(record.job_id, owner)
            moved = self._line.behind(record.job_id)
            await self._publisher.publish(record)
            await self._publish_waiting(moved)
        return record

    async def run_next(self, job_id: str) -> None:
        """Move a waiting job ahead of its owner's other waiting jobs; the jobs whose turn
        that moved (it among them) get their new state."""
        if not self._line.is_waiting(job_id):
            if await self._store.get(job_id) is None:
                raise JobNotFound(job_id)
            raise JobNotPending(job_id)
        await self._tell_the_line(self._line.run_next(job_id))

    async def retry(self, job_id: str) -> JobRecord:
        """Queue a failed job again, as its next attempt, behind its owner's other waiting
        jobs; it keeps its finished work. Its new state (its place, and the stages that work
        completes) and the new state of the jobs it was put ahead of are published.

        A run that has just failed may still be letting go of its slot: that ends first, so
        the slot and the new run never hold the job at once.
        """
        record = await self._store.get(job_id)
        previous = self._running.get(job_id)
        if record is not None and may_retry(record) and previous is not None:
            await asyncio.wait([previous])
        async with self._line_told:  # as in ``submit``; and one retry at a time sees it failed
            record = await self._store.get(job_id)
            if record is None:
                raise JobNotFound(job_id)
            if not may_retry(record):
                raise JobNotFailed(job_id)
            reopen(record)
            self._line.put(job_id, record.owner)
            try:
                await self._publisher.publish(record)
            except StoreUnavailable:
                self._line.discard(job_id)  # still failed in the store: it does not run
                raise
            await self._publish_waiting(self._line.behind(job_id))
        return record

    async def state(self, owner: str | None) -> QueueState:
        """The jobs waiting and holding a slot, the render workers, and when a job of
        ``owner`` submitted now would take a slot (fair share decides whom it waits for)."""
        start_in = await self._planner.start_in(self._line.ahead_of_newcomer(owner))
        return QueueState(pending=len(self._line), running=len(self._running),
                          workers=self._planner.workers, estimated_start_seconds=start_in)

    async def _tell_the_line(self, job_ids: list[str]) -> None:
        """Publish the state (a new ETA and place) of waiting jobs whose turn moved: a newcomer
        put ahead of them (fair share), a job before them that left the line or was moved
        ahead of them, a start.

        A slot that takes one of them meanwhile waits for this to finish before it reads the
        job (``_line_told``), so the state written here never lands over the render's own.
        """
        async with self._line_told:
            await self._publish_waiting(job_ids)

    async def _publish_waiting(self, job_ids: list[str]) -> None:
        """``_tell_the_line`` for a caller that holds ``_line_told`` already."""
        for record in await self._store.get_many(job_ids):
            if self._line.is_waiting(record.job_id):
                await self._publisher.publish(record)

    async def cancel(self, job_id: str) -> JobRecord:
        """End a queued or running job as failed with "Cancelled by user".

        No slot can start the job once this has begun: it leaves the line at once (no await
        between). A slot that already took it has registered its task, which is stopped, or
        has yet to read the job, which it then finds ended.
        """
        record = await self._store.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        if record.ended:
            raise JobAlreadyEnded(job_id)
        moved = self._line.behind(job_id)
        self._line.discard(job_id)
        task = self._running.get(job_id)
        if task is not None:
            with self._driver.cancelling(job_id):
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        async with self._line_told:  # after any state of it the line is writing
            record = await self._store.get(job_id)
            assert record is not None
            if not record.ended:  # it had not started rendering: it waited, or was being read
                await self._publisher.fail(record, CANCELLED_ERROR)
        if moved:
            await self._tell_the_line(moved)
        return record

    async def _consume(self) -> None:
        """One slot: take the next job still waiting and run it to its end."""
        while True:
            job_id = await self._line.take()
            async with self._line_told:  # no waiting job's state is being written now
                pass
            task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
            self._running[job_id] = task  # at once: a cancel from now on finds and stops it
            try:
                await asyncio.wait([task])
            finally:
                self._running.pop(job_id, None)
            if not task.cancelled() and task.exception() is not None:
                log.error("job %s stopped unexpectedly", job_id, exc_info=task.exception())

    async def _run(self, job_id: str) -> None:
        """Drive the job unless it ended while it waited; a store that cannot be read just
        now is asked again, so a blip neither loses the job nor the slot.

        The jobs still waiting have moved up one: their new states are told once the planner
        counts this job as under way (so their ETAs wait for it), before it renders.
        """
        record = await until_stored(lambda: self._store.get(job_id), what=f"job {job_id}")
        if record is None or record.ended:
            return
        self._planner.begin(record)
        try:
            await self._tell_moved_up()
            await self._driver.run(record)
        finally:
            self._planner.end(job_id)  # the driver's end, also when stopped before it began

    async def _tell_moved_up(self) -> None:
        """Tell every waiting job its place after a start; a store away just now leaves the
        old states until the line's next change (the job itself starts regardless)."""
        try:
            await self._tell_the_line(self._line.in_order())
        except StoreUnavailable as error:
            log.warning("the waiting jobs' new places were not told: %s", error)
