"""What the backend needs from a progress feed: each job's states in order, for its streams.

Shaped like a log a reader follows (a Redis Stream read with ``XREAD BLOCK``): a writer
appends a job's states with increasing event ids; a reader asks for what came after the last
id it sent and may wait a while for it. How long an ended job's history is kept is the feed's
own business: a stream opened later starts from the stored record.
"""

from __future__ import annotations

from typing import Protocol

from services.contract import ProgressResponse


class ProgressFeed(Protocol):
    """Each job's published states, oldest first, by event id."""

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Record state ``event_id`` of ``job_id`` and wake whoever follows the job."""

    async def after(
        self, job_id: str, event_id: int, *, wait: float
    ) -> list[tuple[int, ProgressResponse]]:
        """The states of ``job_id`` after ``event_id``, oldest first; when there is none yet,
        wait up to ``wait`` seconds for one (an empty list if none came)."""
