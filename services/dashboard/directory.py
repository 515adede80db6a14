"""``JobDirectory``: which jobs exist, for ``/jobs`` and for toasts, from one poller per dashboard.

The list endpoint is the only way to discover jobs that no tab watches (started from another
tab, or by another client of the backend), so one task asks ``GET /api/v1/jobs`` every
``interval`` seconds, but only while someone listens: tabs register, and the last one to go
stops it. Live progress of a running job comes from the ``JobHub``, not from here.

A job seen running in one poll and ended in a later one is announced through the ``Endings``
the hub shares, so each ending reaches each listener once, whether the hub or the directory
saw it first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nicegui.binding import BindableProperty

from services.client import AuroraClient, AuroraError
from services.contract import JobList, has_ended
from services.dashboard.endings import Endings, JobEnded
from services.dashboard.listeners import Listeners, Unsubscribe


class JobDirectory:
    """The latest page of jobs, newest first, kept fresh while anyone listens.

    Usage, on the NiceGUI event loop::

        directory = JobDirectory(client, hub.endings)    # once, in main.py
        stop = directory.on_job_ended(show_toast)         # every tab: toasts, keeps it polling
        stop = directory.on_change(render_cards)          # /jobs: new jobs, status changes
        ui.label().bind_text_from(directory, "error")     # why the list may be stale
        ui.context.client.on_delete(stop)

    ``latest`` is None until the first answer (and again once nobody listens); ``error`` says
    why the last poll failed ("" when it did not). A failed poll keeps the last list.

    Parameters:
        client: the backend's client.
        endings: where job ends are announced; the hub's, so both sources share one registry.
        interval: seconds between the end of one poll and the start of the next.
        limit: how many of the newest jobs each poll asks for (the contract allows up to 200).
    """

    error = BindableProperty()

    def __init__(
        self,
        client: AuroraClient,
        endings: Endings,
        *,
        interval: float = 2.0,
        limit: int = 200,
    ) -> None:
        self.latest: JobList | None = None
        self.error = ""
        self._client = client
        self._endings = endings
        self._interval = interval
        self._limit = limit
        self._changes: Listeners[JobList] = Listeners()
        self._deletions: Listeners[str] = Listeners()
        self._holders = 0
        self._poller: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    @property
    def polling(self) -> bool:
        """Whether the poller runs (it does exactly while someone listens)."""
        return self._poller is not None

    def on_change(self, listener: Callable[[JobList], None]) -> Unsubscribe:
        """Hear of each new list in which a job appeared, went, or changed status."""
        return self._held(self._changes.subscribe(listener))

    def on_deleted(self, listener: Callable[[str], None]) -> Unsubscribe:
        """Hear of each job deleted from this dashboard (its id), whatever page listed it."""
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
        """The job was deleted from this dashboard: every tab's list drops it now, not at the
        next poll (which would no longer list it anyway), whatever page of it they show."""
        self._deletions.notify(job_id)
        latest = self.latest
        if latest is None or all(job.job_id != job_id for job in latest.jobs):
            return
        self.latest = latest.model_copy(update={
            "jobs": [job for job in latest.jobs if job.job_id != job_id],
            "total": max(0, latest.total - 1) if latest.total is not None else None})
        self._changes.notify(self.latest)

    async def aclose(self) -> None:
        """Stop polling now (at shutdown), whoever still listens; nothing is in flight on return."""
        self._stop()
        if self._stopping:
            await asyncio.wait(list(self._stopping))

    def _held(self, unsubscribe: Unsubscribe) -> Unsubscribe:
        """Keep polling until the returned function is called (only its first call counts)."""
        self._holders += 1
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll(), name="job-directory")
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
        """Cancel the poller and forget the list, so a later start announces nothing stale."""
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            self._stopping.add(poller)
            poller.add_done_callback(self._stopping.discard)
        self.latest = None
        self.error = ""

    async def _poll(self) -> None:
        """Refresh, then rest: a slow backend stretches the cycle instead of piling requests up."""
        while True:
            await self._refresh()
            await asyncio.sleep(self._interval)

    async def _refresh(self) -> None:
        """One poll: keep the answer, announce endings, tell listeners if the list changed."""
        try:
            latest = await self._client.list_jobs(limit=self._limit)
        except AuroraError as error:
            self.error = str(error)
            return
        previous, self.latest = self.latest, latest
        self.error = ""
        if previous is not None:
            _announce_endings(self._endings, previous, latest)
        if previous is None or _standing(previous) != _standing(latest):
            self._changes.notify(latest)


def _standing(jobs: JobList) -> list[tuple[str, str, int | None]]:
    """What makes a list different to a listener: which jobs, in which order, in which status,
    and where each waiting one stands in line."""
    return [(job.job_id, job.status, job.queue_position) for job in jobs.jobs]


def _announce_endings(endings: Endings, previous: JobList, latest: JobList) -> None:
    """Announce every job that was running in ``previous`` and has ended in ``latest``; reopen
    every job that had ended and runs again (retried), so its next end is announced too."""
    before = {job.job_id: job.status for job in previous.jobs}
    for job in latest.jobs:
        was = before.get(job.job_id)
        if was is None or has_ended(was) == has_ended(job.status):
            continue
        if has_ended(job.status):
            endings.announce(JobEnded(job.job_id, job.status, job.prompt or None, job.error))
        else:
            endings.reopen(job.job_id)
