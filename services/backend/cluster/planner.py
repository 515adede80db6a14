"""ETA on a cluster: the same forecast as one machine's, read from what every process can see.

One machine's planner tracks its jobs in memory; on a cluster no process sees every job's
work, so each estimate reads it: the jobs under way and waiting from the store (what each has
finished, which pieces a worker holds and since when), the measured rates from the store, and
the live workers' concurrency from their announcements. A cluster has no job slots: the jobs'
pieces reach the workers in their turns (``release.py``) and share every worker.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from services.backend.cluster.coordination import Coordination
from services.backend.cluster.release import start_order
from services.backend.eta import Throughput, WorkLeft, forecast
from services.backend.pieces import is_finished
from services.backend.planner import plan
from services.backend.store import JobRecord, JobStore
from services.contract import JobStatus

log = logging.getLogger(__name__)


def under_way(record: JobRecord) -> WorkLeft:
    """The work a started job still has, as its record tells it."""
    work = plan(record)
    work.running = True
    for name, entry in record.work.items():
        if is_finished(record, name):
            work.finished(name)
        elif entry.get("taken_at") is not None:
            work.in_worker[name] = entry["taken_at"]
    return work


class ClusterPlanner:
    """Forecasts a job's end from the store and the live workers."""

    def __init__(self, *, store: JobStore, throughput: Throughput,
                 coordination: Coordination) -> None:
        self._store = store
        self._throughput = throughput
        self._coordination = coordination
        self._workers_seen = 1

    async def _live_workers(self) -> int:
        """How many pieces the live workers render at once; while Redis is away, the last
        count read (an estimate goes on without it)."""
        try:
            self._workers_seen = max(await self._coordination.live_concurrency(), 1)
        except RedisError as error:
            log.warning("could not count the live workers: %s", error)
        return self._workers_seen

    async def _served_at(self) -> dict[str | None, float]:
        """When each owner was last served; while Redis is away, as if none was (the jobs
        then wait in the order they came)."""
        try:
            return await self._coordination.served_at()
        except RedisError as error:
            log.warning("could not read whose turn it is: %s", error)
            return {}

    async def eta(self, record: JobRecord) -> float:
        """Seconds until the job is done: 0 once ended."""
        if record.ended:
            return 0
        await self._throughput.load()  # other workers measure too
        running = await self._store.with_status(JobStatus.PROCESSING)
        waiting = await self._store.with_status(JobStatus.PENDING)
        if record.job_id in (other.job_id for other in waiting):
            order = start_order(waiting, await self._served_at())
            place = [other.job_id for other in order].index(record.job_id)
            ahead = [*running, *order[:place]]
        else:  # started: only the jobs started before it share the workers first
            ahead = [other for other in running if other.job_id != record.job_id
                     and (other.started_at or 0) <= (record.started_at or 0)]
        jobs = [under_way(other) if other.status == JobStatus.PROCESSING else plan(other)
                for other in ahead]
        jobs.append(under_way(record) if record.status == JobStatus.PROCESSING else plan(record))
        ends = forecast(jobs, self._throughput, workers=await self._live_workers(),
                        slots=len(jobs),
                        now=time.time())
        return round(ends[-1], 1)
