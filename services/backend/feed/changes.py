"""The change log: one ordered log of every job's changes, for ``GET /api/v1/events``.

Where the progress feed keeps each job's states for that job's stream, this keeps what a job
*list* needs, for the whole backend at once: a job was created or changed (its summary), or
was deleted. Each change gets the next change id, one higher than the last (so a reader can
tell whether a log still holds everything after the id it last saw: exact resume, or
``reset``). The log holds the newest changes only; how many is the engine's business.

A change that cannot be recorded (Redis away) leaves a gap no reader could see; the engine then
records a ``reset`` first thing when it can again, so every reader crossing the gap lists the
jobs again instead of missing a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Literal, Protocol

ChangeKind = Literal["job", "deleted", "reset"]
HELD_CHANGES = 10_000  # the newest changes a log keeps for readers that resume


@dataclass(frozen=True, slots=True)
class Change:
    """One change: its id, its kind, its data as the events stream sends it (JSON), and the
    job's owner (so a stream of one owner's jobs can leave the others out)."""

    change_id: int
    kind: ChangeKind
    data: str
    owner: str | None = None


class ChangeLog(Protocol):
    """Every job's changes, oldest first, by change id. Reading raises ``FeedUnavailable``
    when the engine cannot be reached; recording never fails a job's change for it."""

    async def record(self, kind: ChangeKind, data: str, owner: str | None = None) -> None:
        """Append a change with the next id and wake the readers; one that cannot be recorded
        is logged, and becomes a ``reset`` for the readers."""

    async def newest(self) -> int:
        """The id of the newest change (a reader starting now reads what comes after it)."""

    async def after(self, change_id: int, *, wait: float) -> list[Change] | None:
        """The changes after ``change_id``, oldest first, waiting up to ``wait`` seconds for
        one; None when the log no longer holds all of them (or never gave that id)."""


def covers(change_id: int, oldest: int | None, newest: int) -> bool:
    """Whether a log holding ids ``oldest``..``newest`` (``oldest`` None: holding none) still
    has every change after ``change_id``: ids are consecutive, so it does when the first one
    after it is held, or nothing came after it."""
    return change_id == newest or (oldest is not None and oldest - 1 <= change_id < newest)


class MemoryChangeLog:
    """The change log in this process's memory (the default): lost with the process.

    Ids start from the moment the process starts (in microseconds), so they keep rising across
    a restart and an id from before it is never taken for one of this run's: a reader back
    from a restart gets ``reset``.
    """

    def __init__(self, *, held: int = HELD_CHANGES) -> None:
        self._newest = int(time.time() * 1_000_000)
        self._held: deque[Change] = deque(maxlen=held)
        self._grew = asyncio.Event()  # replaced at each change: take it before reading

    async def record(self, kind: ChangeKind, data: str, owner: str | None = None) -> None:
        """Append a change with the next id and wake the readers."""
        self._newest += 1
        self._held.append(Change(self._newest, kind, data, owner))
        grew, self._grew = self._grew, asyncio.Event()
        grew.set()

    async def newest(self) -> int:
        """The id of the newest change."""
        return self._newest

    async def after(self, change_id: int, *, wait: float) -> list[Change] | None:
        """The changes after ``change_id``, waiting up to ``wait`` s for one; None: not held."""
        if change_id == self._newest and wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._grew.wait(), wait)
        oldest = self._held[0].change_id if self._held else None
        if not covers(change_id, oldest, self._newest):
            return None
        if oldest is None or change_id == self._newest:
            return []
        return list(islice(self._held, change_id - oldest + 1, None))
