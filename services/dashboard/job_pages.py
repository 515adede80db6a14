"""``JobPages``: the jobs one ``/jobs`` tab lists, for a history of any size.

A tab shows one view at a time: every job, or a search (words of the prompt or style), or one
owner's jobs. It lists that view's newest ``PAGE_SIZE`` jobs, then a page more each time the
user asks, and knows the backend's count of each status filter, so "Failed · 37" is the whole
history's and not just what is loaded. Every job's newest pages come from the directory's
listing, which the whole dashboard shares (older ones are asked for), with its counts where
the directory keeps them from the events stream (else they are asked for); any other view's
are asked of the backend (``q``, ``owner``), again each time the directory sees a change, so
they stay live too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.client import AuroraClient
from services.contract import JobList, JobSummary, is_valid_job_id
from services.dashboard.directory import JobDirectory, count_ended
from services.dashboard.listing import ENDED

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class JobView:
    """Which jobs a tab lists: those matching ``query`` ("" for any) of ``owner`` (None: of
    anyone)."""

    query: str = ""
    owner: str | None = None

    @property
    def shared(self) -> bool:
        """Whether this is every job, which the directory lists for all tabs."""
        return not self.query and self.owner is None


class JobPages:
    """The jobs of one view: the newest, older pages once asked for, the backend's counts.

    ``refresh`` reads the newest again (and the counts), ``load_more`` the next older page;
    both raise the client's ``AuroraError``. A view changed meanwhile makes an answer still on
    its way count for nothing, and so does a later ``refresh``: an answer that comes late
    never replaces a newer one.
    """

    def __init__(self, client: AuroraClient, directory: JobDirectory) -> None:
        self._client = client
        self._directory = directory
        self.view = JobView()
        self._newest: list[JobSummary] = []
        self._older: list[JobSummary] = []
        self._total: int | None = None
        self._ended_counts: dict[str, int] = {}
        self._asked = 0  # requests made for this view so far: an answer to an older one is late
        self._refreshes = 0  # reads of the newest jobs started: only the last one's answer counts
        self._shared_shown = PAGE_SIZE  # of the directory's newest jobs, how many are listed

    def show(self, view: JobView) -> None:
        """List ``view`` from now on (older pages are dropped: ``refresh`` reads it)."""
        if view != self.view:
            self.view = view
            self._newest, self._older, self._total, self._ended_counts = [], [], None, {}
            self._shared_shown = PAGE_SIZE
            self._asked += 1

    @property
    def listed(self) -> bool:
        """Whether the view's newest jobs have been read at least once."""
        return self._total is not None or bool(self._newest)

    @property
    def jobs(self) -> list[JobSummary]:
        """The jobs loaded, newest first (a job that moved between pages listed once)."""
        return _each_once([*self._newest, *self._older])

    @property
    def more(self) -> bool:
        """Whether the view holds older jobs than those loaded."""
        return self._total is not None and len(self.jobs) < self._total

    def count(self, status: str | None) -> int | None:
        """How many of the view's jobs have ``status`` (None: every job; "running": waiting or
        rendering), by the backend's count; None when the backend gives no totals."""
        if self._total is None:
            return None
        if status is None:
            return self._total
        if status in self._ended_counts:
            return self._ended_counts[status]
        if status == "running" and len(self._ended_counts) == len(ENDED):
            return max(0, self._total - sum(self._ended_counts.values()))
        return None

    def take_shared(self) -> bool:
        """For the view of every job, take the directory's newest jobs (and its counts, where
        it keeps them) now, with no request; whether there were any to take."""
        latest = self._directory.latest
        if not self.view.shared or latest is None:
            return False
        self._newest, self._total = latest.jobs[:self._shared_shown], latest.total
        self._ended_counts = self._directory.ended_counts or self._ended_counts
        return True

    async def refresh(self) -> None:
        """Read the view's newest jobs (the directory's, for every job) and its counts again
        (the directory's too, where it keeps them)."""
        self._refreshes += 1
        view, asked, refresh = self.view, self._asked, self._refreshes
        counts: dict[str, int] | None = None
        if view.shared and self._directory.latest is not None:
            latest = self._directory.latest
            newest: JobList = latest.model_copy(
                update={"jobs": latest.jobs[:self._shared_shown]})
            counts = self._directory.ended_counts
        else:
            newest = await self._client.list_jobs(q=view.query or None, owner=view.owner,
                                                  limit=PAGE_SIZE)
        if counts is None and newest.total is not None:  # a backend that counts: ask it
            counts = await count_ended(self._client.list_jobs, q=view.query or None,
                                       owner=view.owner)
        if (view, asked, refresh) == (self.view, self._asked, self._refreshes):
            self._newest, self._total = newest.jobs, newest.total
            self._ended_counts = counts or {}

    async def load_more(self) -> None:
        """Read the next older page of the view (the offset is what is loaded so far: jobs
        that arrived meanwhile push a few known ones into it, which are listed once)."""
        latest = self._directory.latest
        if self.view.shared and latest is not None and self._shared_shown < len(latest.jobs):
            self._shared_shown += PAGE_SIZE  # the directory has them already
            self.take_shared()
            return
        view, asked = self.view, self._asked
        page = await self._client.list_jobs(q=view.query or None, owner=view.owner,
                                            limit=PAGE_SIZE, offset=len(self.jobs))
        if (view, asked) == (self.view, self._asked):
            self._older.extend(page.jobs)
            if page.total is not None:
                self._total = page.total

    def forget(self, job_id: str) -> None:
        """The job was deleted: it is listed no more, and counted no more."""
        before = len(self.jobs)
        self._newest = [job for job in self._newest if job.job_id != job_id]
        self._older = [job for job in self._older if job.job_id != job_id]
        if self._total is not None and len(self.jobs) < before:
            self._total -= 1


def _each_once(jobs: Iterable[JobSummary]) -> list[JobSummary]:
    """``jobs`` in order, each id once (its first listing), those with a usable id only."""
    seen: set[str] = set()
    once = []
    for job in jobs:
        if is_valid_job_id(job.job_id) and job.job_id not in seen:
            seen.add(job.job_id)
            once.append(job)
    return once
