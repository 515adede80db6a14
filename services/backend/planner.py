"""ETA planning: which work ``eta.forecast`` replays to say when one job will be done.

Every running job shares the render workers with this one, and every job queued ahead of it
takes a slot first, so all of them are forecast together; a job under way is tracked by the
``WorkLeft`` its driver keeps up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from services.backend import pieces
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


def work_left(record: JobRecord) -> WorkLeft:
    """The work of a job not under way: all of it, less what an earlier attempt finished."""
    work = plan(record)
    for name in pieces.finished(record):
        work.finished(name)
    return work


def _no_work() -> WorkLeft:
    """A job with nothing to do: the forecast's end of it is when it would take a slot."""
    return WorkLeft(width=1, height=1, video_seconds=0, frames_per_scene=0, scenes_left=0,
                    audio_done=True, compose_done=True)


class EtaPlanner:
    """Tracks the work left of each running job and forecasts when any job will be done
    (one machine's: ``workers`` scene workers and the music's own lane)."""

    def __init__(self, *, store: JobStore, throughput: Throughput, workers: int, slots: int,
                 ahead_of: Callable[[str], list[str]]) -> None:
        self._store = store
        self._throughput = throughput
        self._workers = workers
        self._slots = slots
        self._ahead_of = ahead_of
        self._under_way: dict[str, WorkLeft] = {}

    @property
    def workers(self) -> int:
        """How many tasks render at once."""
        return self._workers

    def begin(self, record: JobRecord) -> WorkLeft:
        """Track a job that has taken a slot; its driver updates the returned work as it goes.
        A job tracked already keeps its work (the queue begins it as it takes the slot, the
        driver again as it starts)."""
        work = self._under_way.setdefault(record.job_id, work_left(record))
        work.running = True
        return work

    def end(self, job_id: str) -> None:
        """Stop tracking a job that has left its slot."""
        self._under_way.pop(job_id, None)

    async def eta(self, record: JobRecord) -> float:
        """Seconds until the job is done: 0 once ended."""
        if record.ended:
            return 0
        if record.job_id in self._under_way:
            own = list(self._under_way).index(record.job_id)
            return self._forecast(list(self._under_way.values()))[own]
        return (await self._behind(self._ahead_of(record.job_id), work_left(record)))[-1]

    async def start_in(self, ahead: list[str]) -> float:
        """Seconds until a job queued behind ``ahead`` (the waiting jobs that would start
        before it) takes a slot: 0 while one is free."""
        return (await self._behind(ahead, _no_work()))[-1]

    async def _behind(self, ahead: list[str], work: WorkLeft) -> list[float]:
        """The forecast of the jobs under way, the waiting ones in ``ahead``, then ``work``."""
        records = await self._store.get_many(ahead)
        queued = [work_left(record) for record in records if not record.ended]
        return self._forecast([*self._under_way.values(), *queued, work])

    def _forecast(self, jobs: list[WorkLeft]) -> list[float]:
        """Seconds from now until each of ``jobs`` is done, to a tenth."""
        ends = forecast(jobs, self._throughput, workers=self._workers, slots=self._slots,
                        now=time.time(), music_lane=True)
        return [round(end, 1) for end in ends]
