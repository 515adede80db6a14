"""Per-job fan-out of state changes to every open progress stream.

Each change gets the job's next event id. A stream that has sent event ``n`` asks for what
came after ``n`` and receives every later state in order, so no stage is skipped however
quickly stages follow each other. History lives in memory only while the process runs:
after a restart a stream starts from the stored current state, as the contract allows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from services.contract import ProgressResponse


class JobFeed:
    """Holds each job's published states and wakes the streams that follow it."""

    def __init__(self) -> None:
        self._history: dict[str, list[tuple[int, ProgressResponse]]] = defaultdict(list)
        self._changed = asyncio.Condition()

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Record state ``event_id`` of ``job_id`` and wake its followers."""
        self._history[job_id].append((event_id, state))
        async with self._changed:
            self._changed.notify_all()

    def after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        """The states of ``job_id`` published after ``event_id``, oldest first."""
        return [entry for entry in self._history.get(job_id, []) if entry[0] > event_id]

    async def wait(self, job_id: str, event_id: int) -> None:
        """Return once ``job_id`` has a state newer than ``event_id``."""
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self.after(job_id, event_id)))

    def forget(self, job_id: str) -> None:
        """Drop an ended job's history (its stored record still answers new streams)."""
        self._history.pop(job_id, None)
