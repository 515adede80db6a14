"""ETA planning: which work ``eta.forecast`` replays to say when one job will be done.

Every running job shares the render workers with this one, and every job queued ahead of it
takes a slot first, so all of them are forecast together; a job under way is tracked by the
``WorkLeft`` its driver keeps up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from services.backend.eta import Throughput, WorkLeft, forecast
from services.backend.render import video_format
from services.backend.store import JobRecord, JobStore


class Planner(Protocol):
    """What the presenter needs: when a job will be done."""

    async def eta(self, record: JobRecord) -> float:
        """Seconds until the job is done: 0 once ended."""


def plan(record: JobRecord) -> WorkLeft:
    """All the work of a job that has not started."""
    fmt = video_format(record.aspect_ratio, record.render_size)
    return WorkLeft(width=fmt.width, height=fmt.height, video_seconds=record.duration,
                    frames_per_scene=round(record.duration / record.scene_count * fmt.fps),
                    scenes_left=record.scene_count)


class EtaPlanner:
    """Tracks the work left of each running job and forecasts when any job will be done."""

    def __init__(self, *, store: JobStore, throughput: Throughput, workers: int, slots: int,
                 ahead_of: Callable[[str], list[str]]) -> None:
        self._store = store
        self._throughput = throughput
        self._workers = workers
        self._slots = slots
        self._ahead_of = ahead_of
        self._under_way: dict[str, WorkLeft] = {}

    def begin(self, record: JobRecord) -> WorkLeft:
        """Track a job that has taken a slot; its driver updates the returned work as it goes."""
        work = self._under_way[record.job_id] = plan(record)
        work.running = True
        return work

    def end(self, job_id: str) -> None:
        """Stop tracking a job that has left its slot."""
        self._under_way.pop(job_id, None)

    async def eta(self, record: JobRecord) -> float:
        """Seconds until the job is done: 0 once ended."""
        if record.ended:
            return 0
        jobs = list(self._under_way.values())
        if record.job_id not in self._under_way:
            jobs += [plan(other) for other in await self._queued_before(record.job_id)]
            jobs.append(plan(record))
        ends = forecast(jobs, self._throughput, workers=self._workers, slots=self._slots,
                        now=time.time())
        own = list(self._under_way).index(record.job_id) if record.job_id in self._under_way else -1
        return round(ends[own], 1)

    async def _queued_before(self, job_id: str) -> list[JobRecord]:
        """The jobs still waiting that will start before this one."""
        records = await self._store.get_many(self._ahead_of(job_id))
        return [record for record in records if not record.ended]
