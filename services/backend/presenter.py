"""What clients read about jobs, built in one place: the list, one job in full, its progress.

Every state carries a fresh ETA and fresh asset URLs, whether a route answers with it
or the publisher sends it to the job's streams. The routes read jobs only through here.
"""

from __future__ import annotations

import asyncio

from services.backend.feed import ProgressFeed
from services.backend.media import MediaStore
from services.backend.planner import Planner
from services.backend.store import JobFilter, JobRecord, JobStore
from services.backend.views import detail_of, progress_of, summary_of
from services.backend.waiting_line import WaitingLine
from services.contract import JobDetail, JobList, JobStatus, JobSummary, ProgressResponse

RECHECK_SECONDS = 5.0  # how long a follower waits on the feed before it re-reads the store
STORE_POLL_SECONDS = 1.0  # between a follower's store reads while the feed is unavailable


class JobPresenter:
    """Jobs as the contract's models; the store's ``StoreUnavailable`` passes through.

    ``line`` is the waiting line the jobs' queue positions are read off; without one (a
    cluster's queue has none) no job has a position.
    """

    def __init__(self, *, store: JobStore, feed: ProgressFeed, media: MediaStore,
                 planner: Planner, line: WaitingLine | None = None) -> None:
        self._store = store
        self._feed = feed
        self._media = media
        self._planner = planner
        self._line = line

    def _queue_position(self, record: JobRecord) -> int | None:
        """1 + the jobs that start before a pending job (1 too once a slot has taken it and
        it is about to start); None for any other."""
        if self._line is None or record.status != JobStatus.PENDING:
            return None
        return len(self._line.ahead_of(record.job_id)) + 1

    async def page(self, matching: JobFilter, *, limit: int, offset: int) -> JobList:
        """A page of the job list, newest first: the jobs ``matching``, and how many do."""
        records, total = await self._store.page(matching, limit=limit, offset=offset)
        return JobList(jobs=[self.row(record) for record in records], total=total)

    async def summary(self, job_id: str) -> JobSummary | None:
        """One job as a list row (its owner included), or None if there is no such job."""
        record = await self._store.get(job_id)
        return None if record is None else self.row(record)

    def row(self, record: JobRecord) -> JobSummary:
        """The job as a list row, as its record stands now (what the change log and a
        webhook carry of it, too)."""
        return summary_of(record, self._media, self._queue_position(record))

    async def detail(self, job_id: str) -> JobDetail | None:
        """One job in full, or None if there is no such job."""
        record = await self._store.get(job_id)
        if record is None:
            return None
        return detail_of(record, self._media, await self._planner.eta(record),
                         self._queue_position(record))

    async def state(self, record: JobRecord) -> ProgressResponse:
        """The job's progress state, as an ``update`` event carries it."""
        return progress_of(record, self._media, await self._planner.eta(record),
                           self._queue_position(record))

    async def latest(self, job_id: str) -> tuple[int, ProgressResponse] | None:
        """The job's last event id and its current state, or None if there is no such job."""
        record = await self._store.get(job_id)
        return None if record is None else (record.event_id, await self.state(record))

    async def held_after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        """The states the feed still holds after ``event_id``, at once: what a stream resumed
        after that event replays (none if the feed has dropped them)."""
        return await self._feed.after(job_id, event_id, wait=0)

    async def changes_after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        """The job's states after ``event_id``, oldest first, waiting a while for one.

        When the feed has none, the stored state is returned if it is newer, so a follower
        that missed a wake-up (or a feed that dropped the job's history) still catches up.
        A feed that cannot be read raises ``FeedUnavailable``: see ``stored_after``.
        """
        changes = await self._feed.after(job_id, event_id, wait=RECHECK_SECONDS)
        return changes or await self._stored_after(job_id, event_id)

    async def stored_after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        """The stored state if it is newer than ``event_id``, read after a pause: how a
        follower goes on while the feed is unavailable (the store has every job's state, so
        the stream still reaches its end; states stored between two reads are skipped)."""
        await asyncio.sleep(STORE_POLL_SECONDS)
        return await self._stored_after(job_id, event_id)

    async def _stored_after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        record = await self._store.get(job_id)
        if record is not None and record.event_id > event_id:
            return [(record.event_id, await self.state(record))]
        return []
