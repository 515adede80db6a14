"""A job's log, as ``GET /api/v1/jobs/{id}/log`` reads it: what happened to the job, in order,
written where it happens (queued, each stage, a cancel, a retry, a restart, the end and why).

A line that cannot be stored just now is left out, and said in the backend's own log: a job
never fails for its log. Lines say what happened, never who holds which secret.
"""

from __future__ import annotations

import logging

from services.backend.store import JobStore, LogLevel, LogLine, StoreUnavailable

log = logging.getLogger(__name__)


async def note(store: JobStore, job_id: str, message: str, level: LogLevel = "info") -> None:
    """Add ``message`` to the job's log, stamped now."""
    try:
        await store.add_log(job_id, level, message)
    except StoreUnavailable as error:
        log.warning("job %s: the log line %r was not stored: %s", job_id, message, error)


def by(user: str | None) -> str:
    """" by ana" where people sign in, "" where nobody does."""
    return f" by {user}" if user else ""


class JobLogBook:
    """Every job's log, for the routes: what a caller asked for, and the lines to read."""

    def __init__(self, store: JobStore) -> None:
        self._store = store

    async def note(self, job_id: str, message: str, level: LogLevel = "info") -> None:
        """Add ``message`` to the job's log (``note``)."""
        await note(self._store, job_id, message, level)

    async def lines(self, job_id: str) -> list[LogLine]:
        """The job's log, oldest line first."""
        return await self._store.log_of(job_id)
