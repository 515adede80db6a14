"""The job queue: jobs start in the order they came, at most ``slots`` at once; any can be
cancelled, queued or running.

A job's record is stored before it is queued, so a restart loses no queued job: ``start``
queues again every job still pending and marks the ones a previous process left half-done.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from services.backend.driver import JobDriver
from services.backend.picture_sizes import RenderSize
from services.backend.publisher import Publisher
from services.backend.script import scene_count
from services.backend.store import JobRecord, JobStore
from services.contract import CANCELLED_ERROR, GenerateRequest, JobStatus, stages

log = logging.getLogger(__name__)


class JobNotFound(LookupError):
    """No job has this id."""


class JobAlreadyEnded(Exception):
    """The job has completed or failed; it cannot be cancelled."""


class WaitingLine:
    """The ids of queued jobs in the order they will start; ``take`` waits for the next."""

    def __init__(self) -> None:
        self._arrivals: asyncio.Queue[str] = asyncio.Queue()
        self._ids: list[str] = []

    def put(self, job_id: str) -> None:
        """Queue a job at the back."""
        self._ids.append(job_id)
        self._arrivals.put_nowait(job_id)

    async def take(self) -> str:
        """The job at the front, once there is one; it leaves the line."""
        job_id = await self._arrivals.get()
        self._ids.remove(job_id)
        return job_id

    def ahead_of(self, job_id: str) -> list[str]:
        """The jobs that will start before ``job_id`` (none if it is not waiting)."""
        return self._ids[: self._ids.index(job_id)] if job_id in self._ids else []


class JobQueue:
    """Takes jobs from the line into ``slots`` slots and has the driver run each."""

    def __init__(self, *, store: JobStore, line: WaitingLine, publisher: Publisher,
                 driver: JobDriver, slots: int, render_size: RenderSize) -> None:
        self._store = store
        self._line = line
        self._publisher = publisher
        self._driver = driver
        self._slots = slots
        self._render_size = render_size
        self._running: dict[str, asyncio.Task[None]] = {}
        self._consumers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Mark jobs a previous process left half-done, requeue waiting ones, start consuming."""
        for job_id in await self._store.fail_interrupted():
            log.warning("job %s was interrupted by a restart", job_id)
        for record in await self._store.with_status(JobStatus.PENDING):
            self._line.put(record.job_id)
        self._consumers = [asyncio.create_task(self._consume(), name=f"job-consumer-{n}")
                           for n in range(self._slots)]

    async def stop(self) -> None:
        """Stop consuming; running jobs stay ``processing`` in the store, so the next start
        marks them interrupted."""
        self._driver.stop()
        for task in [*self._consumers, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*self._consumers, *self._running.values(), return_exceptions=True)

    async def submit(self, request: GenerateRequest) -> JobRecord:
        """Store a new job and queue it."""
        now = time.time()
        record = JobRecord(
            job_id=uuid.uuid4().hex[:16], status=JobStatus.PENDING, prompt=request.prompt,
            duration=request.duration, aspect_ratio=request.aspect_ratio, style=request.style,
            scene_count=scene_count(request.duration), current_stage=stages.PENDING,
            progress=0, created_at=now, updated_at=now, render_size=self._render_size,
        )
        await self._store.insert(record)
        self._line.put(record.job_id)
        await self._publisher.publish(record)
        return record

    async def cancel(self, job_id: str) -> JobRecord:
        """End a queued or running job as failed with "Cancelled by user"."""
        record = await self._store.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        if record.ended:
            raise JobAlreadyEnded(job_id)
        task = self._running.get(job_id)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        else:
            await self._publisher.fail(record, CANCELLED_ERROR)
        refreshed = await self._store.get(job_id)
        assert refreshed is not None
        return refreshed

    async def _consume(self) -> None:
        """One slot: take the next job still waiting and run it to its end."""
        while True:
            job_id = await self._line.take()
            record = await self._store.get(job_id)
            if record is None or record.ended:  # cancelled while it waited
                continue
            task = asyncio.create_task(self._driver.run(record), name=f"job-{job_id}")
            self._running[job_id] = task
            try:
                await asyncio.wait([task])
            finally:
                self._running.pop(job_id, None)
