"""What the backend needs from a progress feed: each job's states in order, for its streams.

Shaped like a log a reader follows (a Redis Stream read with ``XREAD BLOCK``): a writer
appends a job's states with increasing event ids; a reader asks for what came after the last
id it sent and may wait a while for it. An id at or below the last one the feed holds for the
job is refused (a stale writer's redelivery is never delivered twice). How long an ended job's
history is kept is the feed's own business: a stream opened later starts from the stored record.

An engine raises ``FeedUnavailable`` (its own error as the cause) when it cannot reach what
holds the states, so callers never handle an engine's exceptions.
"""

from __future__ import annotations

from typing import Protocol

from services.contract import ProgressResponse


class FeedUnavailable(Exception):
    """The feed cannot be read or written right now; the store still has every job."""


class ProgressFeed(Protocol):
    """Each job's published states, oldest first, by event id."""

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Record state ``event_id`` of ``job_id`` and wake whoever follows the job; an id
        the feed already holds (or a lower one) is ignored."""

    async def after(
        self, job_id: str, event_id: int, *, wait: float
    ) -> list[tuple[int, ProgressResponse]]:
        """The states of ``job_id`` after ``event_id``, oldest first; when there is none yet,
        wait up to ``wait`` seconds for one (an empty list if none came)."""

    async def aclose(self) -> None:
        """Let go of what the feed holds open (connections), when the backend stops."""
