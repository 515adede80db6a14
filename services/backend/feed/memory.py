"""The in-process progress feed (the default): each job's states in memory, while it runs.

Each change gets the job's next event id. A stream that has sent event ``n`` asks for what
came after ``n`` and receives every later state in order, so no stage is skipped however
quickly stages follow each other. An ended job's history is dropped a minute after its last
state, and none survives a restart: a stream then starts from the stored current state, as the
contract allows.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

from services.contract import ProgressResponse, has_ended

HISTORY_SECONDS = 60.0  # how long an ended job's states stay for streams still reading them


class MemoryFeed:
    """Holds each job's published states and wakes the streams that follow it."""

    def __init__(self) -> None:
        self._history: dict[str, list[tuple[int, ProgressResponse]]] = defaultdict(list)
        self._changed = asyncio.Condition()

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Record state ``event_id`` of ``job_id`` and wake its followers."""
        self._history[job_id].append((event_id, state))
        async with self._changed:
            self._changed.notify_all()
        if has_ended(state.status):
            asyncio.get_running_loop().call_later(HISTORY_SECONDS, self._forget, job_id)

    async def after(
        self, job_id: str, event_id: int, *, wait: float
    ) -> list[tuple[int, ProgressResponse]]:
        """The states of ``job_id`` after ``event_id``, waiting up to ``wait`` s for one."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._newer_than(job_id, event_id), wait)
        return self._after(job_id, event_id)

    def _after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        return [entry for entry in self._history.get(job_id, []) if entry[0] > event_id]

    async def _newer_than(self, job_id: str, event_id: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._after(job_id, event_id)))

    def _forget(self, job_id: str) -> None:
        self._history.pop(job_id, None)
