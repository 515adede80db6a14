"""``Listing``: the newest jobs and the whole history's counts, kept up by the backend's changes.

The directory lists the newest jobs once (and counts the ended ones), then hands each change of
the backend's events stream here: a job's new row, or its deletion. Pure: no I/O, so every rule
is plain to test.

The counts stay exact from changes alone while the changed job is one the listing holds, or a
new one. A job older than the listing (a long queue's, or an old failure retried) changing or
going leaves its previous status unknown: the change says so (``recount``), and the directory
counts again.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.contract import JobList, JobStatus, JobSummary

ENDED = (JobStatus.COMPLETED, JobStatus.FAILED)  # the statuses counted (running: the rest)


@dataclass(frozen=True, slots=True)
class Applied:
    """What one change did: the job's listed status before it (None: it was not listed), and
    whether the counts must be taken again."""

    was: str | None
    recount: bool = False


class Listing:
    """The newest ``limit`` jobs, newest first, and how many of the history's jobs ended each
    way (``ended``: None when not counted).

    ``jobs.total`` counts the whole history (None from a backend that does not count).
    """

    def __init__(self, jobs: JobList, ended: dict[str, int] | None, *, limit: int) -> None:
        self.jobs = jobs
        self.ended = ended
        self._limit = limit

    def change(self, job: JobSummary) -> Applied | None:
        """Take the job's new row; None when the listing already holds a newer one (a change
        from before the listing, delivered after it)."""
        rows = self.jobs.jobs
        index = _index_of(rows, job.job_id)
        if index is not None:
            old = rows[index]
            if job.updated_at < old.updated_at:
                return None
            self._set_rows([*rows[:index], job, *rows[index + 1:]], total_change=0)
            self._count(old.status, -1)
            self._count(job.status, 1)
            return Applied(old.status)
        if not self._holds_every_job() and (not rows or job.created_at < rows[-1].created_at):
            return Applied(None, recount=True)  # older than the listing: not shown, not counted
        newest_first = sorted([*rows, job], key=lambda row: row.created_at, reverse=True)
        self._set_rows(newest_first[:self._limit], total_change=1)
        self._count(job.status, 1)
        return Applied(None)

    def delete(self, job_id: str) -> Applied:
        """Drop the job, and count it no more."""
        rows = self.jobs.jobs
        index = _index_of(rows, job_id)
        if index is None:
            return Applied(None, recount=not self._holds_every_job())
        old = rows[index]
        self._set_rows([*rows[:index], *rows[index + 1:]], total_change=-1)
        self._count(old.status, -1)
        return Applied(old.status)

    def _holds_every_job(self) -> bool:
        """Whether no job of the history is missing from the listing."""
        total = self.jobs.total
        return len(self.jobs.jobs) < self._limit if total is None else total <= len(self.jobs.jobs)

    def _set_rows(self, rows: list[JobSummary], *, total_change: int) -> None:
        total = self.jobs.total
        self.jobs = JobList(jobs=rows,
                            total=None if total is None else max(0, total + total_change))

    def _count(self, status: str, change: int) -> None:
        if self.ended is not None and status in self.ended:
            self.ended = {**self.ended, status: max(0, self.ended[status] + change)}


def _index_of(rows: list[JobSummary], job_id: str) -> int | None:
    return next((index for index, row in enumerate(rows) if row.job_id == job_id), None)
