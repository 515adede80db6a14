"""``Endings``: the one place where a job's end is announced, once per job.

Two sources see jobs end: the ``ProgressTracker`` of a watched job (through the ``JobHub``)
and the ``JobDirectory``'s listings. Both announce here, and each listener (every tab's
toasts) hears of each job once, whichever source saw the end first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.contract import CANCELLED_ERROR, JobStatus
from services.dashboard.listeners import Listeners, Unsubscribe


@dataclass(frozen=True, slots=True)
class JobEnded:
    """A job has completed or failed: what a toast needs to say so."""

    job_id: str
    status: str
    prompt: str | None = None
    error: str | None = None

    @property
    def completed(self) -> bool:
        """Whether the video is ready (otherwise generation failed)."""
        return self.status == JobStatus.COMPLETED

    @property
    def cancelled(self) -> bool:
        """Whether it failed because someone cancelled it (what they asked for)."""
        return not self.completed and self.error == CANCELLED_ERROR


class Endings:
    """Announces each job's end once to every listener, whoever saw it first.

    The sources announce only jobs they saw running: a job over before anyone looked is no news.

    Ids of announced jobs are kept for the life of the process (a few bytes per job), so a
    late second sighting, by the directory after the hub or the other way round, stays silent;
    a job retried after its end is reopened, and its next end is announced too.
    """

    def __init__(self) -> None:
        self._listeners: Listeners[JobEnded] = Listeners()
        self._announced: set[str] = set()

    def subscribe(self, listener: Callable[[JobEnded], None]) -> Unsubscribe:
        """Hear of every job that ends from now on; the function returned stops that."""
        return self._listeners.subscribe(listener)

    def reopen(self, job_id: str) -> None:
        """The ended job runs again (it was retried): its next end is news again."""
        self._announced.discard(job_id)

    def announce(self, ending: JobEnded) -> None:
        """Tell every listener, unless this job's end has been announced already."""
        if ending.job_id in self._announced:
            return
        self._announced.add(ending.job_id)
        self._listeners.notify(ending)
