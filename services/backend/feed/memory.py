"""The in-process progress feed (the default): each job's states in memory, while it runs.

Each change gets the job's next event id. A stream that has sent event ``n`` asks for what
came after ``n`` and receives every later state in order, so no stage is skipped however
quickly stages follow each other. A state whose id is not above the job's last one is dropped,
as Redis refuses it, so a state published twice reaches no stream twice. An ended job's history
is dropped a minute after its last state, and none survives a restart: a stream then starts
from the stored current state, as the contract allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from services.contract import ProgressResponse, has_ended

log = logging.getLogger(__name__)

HISTORY_SECONDS = 60.0  # how long an ended job's states stay for streams still reading them


class MemoryFeed:
    """Holds each job's published states and wakes the streams that follow it."""

    def __init__(self) -> None:
        self._history: dict[str, list[tuple[int, ProgressResponse]]] = defaultdict(list)
        self._changed = asyncio.Condition()

    async def publish(self, job_id: str, event_id: int, state: ProgressResponse) -> None:
        """Record state ``event_id`` of ``job_id`` and wake its followers."""
        history = self._history[job_id]
        if history and event_id <= history[-1][0]:
            log.debug("job %s: event %d already published", job_id, event_id)
            return
        history.append((event_id, state))
        async with self._changed:
            self._changed.notify_all()
        if has_ended(state.status):
            asyncio.get_running_loop().call_later(HISTORY_SECONDS, self._forget, job_id)

    async def after(
        self, job_id: str, event_id: int, *, wait: float
    ) -> list[tuple[int, ProgressResponse]]:
        """The states of ``job_id`` after ``event_id``, waiting up to ``wait`` s for one."""
        if wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._newer_than(job_id, event_id), wait)
        return self._after(job_id, event_id)

    async def aclose(self) -> None:
        """Nothing is held open: the states go with the process."""

    def _after(self, job_id: str, event_id: int) -> list[tuple[int, ProgressResponse]]:
        return [entry for entry in self._history.get(job_id, []) if entry[0] > event_id]

    async def _newer_than(self, job_id: str, event_id: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._after(job_id, event_id)))

    def _forget(self, job_id: str) -> None:
        self._history.pop(job_id, None)
