"""``JobDirectory``: which jobs exist, for ``/jobs`` and for toasts, followed once per dashboard.

The backend is the only one who knows of jobs that no tab watches (started from another tab,
or by another client of the backend), so one task follows it, but only while someone listens:
tabs register, and the last one to go stops it. Where the backend has the events stream
(``GET /api/v1/events``) the task lists the jobs once, then keeps the list up from each change
it is told of and never polls; where it has not (a 404), the task asks for the list every
``interval`` seconds. Live progress of a running job comes from the ``JobHub``, not from here.

A job seen running and then ended, in a change or a later poll, is announced through the
``Endings`` the hub shares, so each ending reaches each listener once, whether the hub or the
directory saw it first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import nullcontext

from nicegui.binding import BindableProperty

from services.client import (
    AuroraClient,
    AuroraError,
    ConnectionFailed,
    JobChanged,
    JobDeleted,
    ListAgain,
    Reconnecting,
    StreamOpened,
)
from services.contract import JobList, JobSummary, has_ended
from services.dashboard.endings import Endings, JobEnded
from services.dashboard.listeners import Listeners, Unsubscribe
from services.dashboard.listing import ENDED, Listing
from services.dashboard.metrics import DashboardMetrics

NO_EVENTS_STREAM = (404, 405)  # how a backend without ``/events`` answers


class JobDirectory:
    """The newest jobs, newest first, and the history's counts, kept fresh while anyone listens.

    Usage, on the NiceGUI event loop::

        directory = JobDirectory(client, hub.endings)    # once, in main.py
        stop = directory.on_job_ended(show_toast)         # every tab: toasts, keeps it following
        stop = directory.on_change(render_cards)          # /jobs: new jobs, status changes
        ui.label().bind_text_from(directory, "error")     # why the list may be stale
        ui.context.client.on_delete(stop)

    ``latest`` is None until the first listing (and again once nobody listens); ``error`` says
    why the list may be stale just now ("" when it is not). A failed request keeps the last list.

    Parameters:
        client: the backend's client.
        endings: where job ends are announced; the hub's, so both sources share one registry.
        interval: seconds between polls (from the end of one to the start of the next), and
            before the events stream is tried again after it failed.
        limit: how many of the newest jobs are listed (the contract allows up to 200).
        metrics: where its list reads and open event streams are counted, if anywhere.
    """

    error = BindableProperty()

    def __init__(
        self,
        client: AuroraClient,
        endings: Endings,
        *,
        interval: float = 2.0,
        limit: int = 200,
        metrics: DashboardMetrics | None = None,
    ) -> None:
        self.error = ""
        self._metrics = metrics
        self._client = client
        self._endings = endings
        self._interval = interval
        self._limit = limit
        self._listing: Listing | None = None
        self._forgotten: set[str] = set()  # deleted here; the stream's word of it is no news
        self._changes: Listeners[JobList] = Listeners()
        self._deletions: Listeners[str] = Listeners()
        self._holders = 0
        self._follower: asyncio.Task[None] | None = None
        self._recounting: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    @property
    def latest(self) -> JobList | None:
        """The newest jobs, newest first, with the history's total (None before the first
        listing)."""
        return None if self._listing is None else self._listing.jobs

    @property
    def ended_counts(self) -> dict[str, int] | None:
        """How many of the history's jobs completed and failed, kept up from the events stream
        (None while polling, or before the first listing: a caller counts for itself)."""
        return None if self._listing is None else self._listing.ended

    @property
    def following(self) -> bool:
        """Whether the backend is followed (it is exactly while someone listens)."""
        return self._follower is not None

    def on_change(self, listener: Callable[[JobList], None]) -> Unsubscribe:
        """Hear of each new list in which a job appeared, went, or changed status or place."""
        return self._held(self._changes.subscribe(listener))

    def on_deleted(self, listener: Callable[[str], None]) -> Unsubscribe:
        """Hear of each job deleted (its id), here or anywhere the events stream tells of,
        whatever page listed it."""
        return self._deletions.subscribe(listener)

    def on_job_ended(self, listener: Callable[[JobEnded], None]) -> Unsubscribe:
        """Hear of every job that ends, once each, seen here or by the hub."""
        return self._held(self._endings.subscribe(listener))

    async def prompt_of(self, job_id: str) -> str:
        """The job's prompt: from the latest list, or asked of the backend for a job too new
        to be listed yet ("" if it cannot say)."""
        jobs = self.latest.jobs if self.latest is not None else []
        listed = next((job.prompt for job in jobs if job.job_id == job_id), None)
        if listed is not None:
            return listed
        try:
            return (await self._client.get_job(job_id)).prompt
        except AuroraError:
            return ""

    def forget(self, job_id: str) -> None:
        """The job was deleted from this dashboard: every tab's list drops it now, not when
        the backend says so (its word of it is then no news)."""
        self._forgotten.add(job_id)
        self._gone(job_id)

    async def aclose(self) -> None:
        """Stop following now (at shutdown), whoever still listens; nothing is in flight on
        return."""
        self._stop()
        if self._stopping:
            await asyncio.wait(list(self._stopping))

    def _held(self, unsubscribe: Unsubscribe) -> Unsubscribe:
        """Keep following until the returned function is called (only its first call counts)."""
        self._holders += 1
        if self._follower is None:
            self._follower = asyncio.create_task(self._follow(), name="job-directory")
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                unsubscribe()
                self._holders -= 1
                if self._holders == 0:
                    self._stop()

        return release

    def _stop(self) -> None:
        """Stop following and forget the list, so a later start announces nothing stale."""
        for task in (self._follower, self._recounting):
            if task is not None:
                task.cancel()
                self._stopping.add(task)
                task.add_done_callback(self._stopping.discard)
        self._follower = self._recounting = None
        self._listing = None
        self.error = ""

    async def _follow(self) -> None:
        """Follow the backend's changes; poll it if it has no events stream."""
        with self._metrics.following_events() if self._metrics else nullcontext():
            await self._follow_changes()
        self._listing = None
        while True:
            await self._poll()
            await asyncio.sleep(self._interval)

    async def _follow_changes(self) -> None:
        """List the jobs when the stream says so, then take each change it tells of; resume
        after a drop where it stopped, or start afresh when there is no listing to keep up
        (its listing failed). Returns only when the backend has no events stream."""
        resume_after: str | None = None
        while True:
            async with self._client.changes(last_event_id=resume_after) as stream:
                resume_after = None  # unless the stream ends with everything up to it taken
                async for event in stream:
                    if isinstance(event, StreamOpened):
                        self.error = ""
                    elif isinstance(event, ListAgain):
                        if not await self._list_again():
                            break  # with no list to keep up: start afresh
                    elif isinstance(event, JobChanged):
                        self._changed(event.job)
                    elif isinstance(event, JobDeleted):
                        if event.job_id not in self._forgotten:
                            self._gone(event.job_id)
                        self._forgotten.discard(event.job_id)
                    elif isinstance(event, Reconnecting):
                        self.error = event.reason
                    elif isinstance(event, ConnectionFailed):
                        if event.status_code in NO_EVENTS_STREAM:
                            return
                        self.error = event.reason
                else:  # given up on: resume where it stopped, if a listing was taken
                    if self._listing is not None:
                        resume_after = stream.last_event_id
            await asyncio.sleep(self._interval)

    async def _list_again(self) -> bool:
        """List the newest jobs and count the ended ones; whether that worked (it says why not
        in ``error``)."""
        try:
            jobs = await self._list(limit=self._limit)
            ended = await self._ended_counts() if jobs.total is not None else None
        except AuroraError as error:
            self.error = str(error)
            return False
        self._take(Listing(jobs, ended, limit=self._limit))
        return True

    async def _ended_counts(self) -> dict[str, int] | None:
        """How many jobs of the history completed and failed, by the backend's totals (None
        unless it gives both)."""
        counts = await count_ended(self._list)
        return counts if len(counts) == len(ENDED) else None

    def _changed(self, job: JobSummary) -> None:
        """One job's new row from the stream: listed, its end announced, counted."""
        if self._listing is None:
            return
        before = _standing(self._listing.jobs)
        applied = self._listing.change(job)
        if applied is None:
            return
        if applied.was is not None:
            _announce_ending(self._endings, applied.was, job)
        if applied.recount and self._listing.ended is not None:
            self._recount_soon()
        if _standing(self._listing.jobs) != before:
            self._changes.notify(self._listing.jobs)

    def _gone(self, job_id: str) -> None:
        """Drop a deleted job from every tab's list, whatever page of it they show."""
        self._deletions.notify(job_id)
        if self._listing is None:
            return
        applied = self._listing.delete(job_id)
        if applied.recount and self._listing.ended is not None:
            self._recount_soon()
        if applied.was is not None:
            self._changes.notify(self._listing.jobs)

    def _recount_soon(self) -> None:
        """Count the history again (once, however many changes asked meanwhile): a job the
        listing does not hold changed or went, so the counts kept from the stream cannot be
        worked out (a poll counts anew anyway)."""
        if self._recounting is None or self._recounting.done():
            self._recounting = asyncio.create_task(self._recount(), name="job-recount")

    async def _recount(self) -> None:
        try:
            total = (await self._list(limit=1)).total
            ended = await self._ended_counts()
        except AuroraError as error:
            self.error = str(error)
            return
        if self._listing is not None:
            self._listing.jobs = self._listing.jobs.model_copy(update={"total": total})
            self._listing.ended = ended
            self._changes.notify(self._listing.jobs)

    async def _poll(self) -> None:
        """One poll: keep the answer, announce endings, tell listeners if the list changed."""
        try:
            latest = await self._list(limit=self._limit)
        except AuroraError as error:
            self.error = str(error)
            return
        self._take(Listing(latest, None, limit=self._limit))

    async def _list(self, *, limit: int, status: str | None = None) -> JobList:
        """One read of the job list (counted in the metrics)."""
        if self._metrics is not None:
            self._metrics.list_polled()
        return await self._client.list_jobs(status=status, limit=limit)

    def _take(self, listing: Listing) -> None:
        """A new listing: announce what ended since the one held, tell listeners if it
        differs."""
        previous, self._listing = self.latest, listing
        self.error = ""
        if previous is not None:
            before = {job.job_id: job.status for job in previous.jobs}
            for job in listing.jobs.jobs:
                if job.job_id in before:
                    _announce_ending(self._endings, before[job.job_id], job)
        if previous is None or _standing(previous) != _standing(listing.jobs):
            self._changes.notify(listing.jobs)


async def count_ended(list_jobs: Callable[..., Awaitable[JobList]],
                      **view: str | None) -> dict[str, int]:
    """How many jobs (of the ``view``: ``q``, ``owner``) completed and failed, by the totals
    ``list_jobs`` answers with, one request each; a status it gives no total for is left out."""
    counts: dict[str, int] = {}
    for status in ENDED:
        counted = await list_jobs(status=status, limit=1, **view)
        if counted.total is not None:
            counts[status] = counted.total
    return counts


def _standing(jobs: JobList) -> list[tuple[str, str, int | None]]:
    """What makes a list different to a listener: which jobs, in which order, in which status,
    and where each waiting one stands in line."""
    return [(job.job_id, job.status, job.queue_position) for job in jobs.jobs]


def _announce_ending(endings: Endings, was: str, job: JobSummary) -> None:
    """Announce the job if it was running and has ended; reopen it if it had ended and runs
    again (retried), so its next end is announced too."""
    if has_ended(was) == has_ended(job.status):
        return
    if has_ended(job.status):
        endings.announce(JobEnded(job.job_id, job.status, job.prompt or None, job.error))
    else:
        endings.reopen(job.job_id)
