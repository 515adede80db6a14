"""The waiting line: which queued job starts next, in fair turns across owners.

Each owner's jobs wait in the order they came, unless the owner moves one to the front of
their own list (``run_next``). The next to start is the first job of the owner served least
recently; an owner never served here comes first, and among those, the one whose oldest job
has waited longest. So one user's ten queued jobs take turns with another
user's one instead of holding it up for ten renders. Owner None (nobody signs in) is one owner
like any other, so without accounts the line is first come, first served.

The owners with jobs waiting are kept sorted by that rule (``_turns``). A start moves its owner
to the back, so from any moment on the line is a round-robin over ``_turns``: ``ahead_of``
reads the start order off it instead of replaying the takes.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
from collections.abc import Iterator

Owner = str | None

_NEWCOMER = ""  # no job's id: stands for a job not queued yet


class WaitingLine:
    """The ids of queued jobs by owner; ``take`` waits for the next one to start."""

    def __init__(self) -> None:
        self._waiting: dict[Owner, list[str]] = {}  # each owner's waiting jobs, oldest first
        self._owner_of: dict[str, Owner] = {}
        self._arrived_at: dict[str, int] = {}  # job id -> tick it came
        self._served_at: dict[Owner, int] = {}  # owner -> tick its last job started
        self._turns: list[Owner] = []  # owners with jobs waiting, next to start first
        self._clock = itertools.count()  # a tick for every arrival and every start
        self._arrival = asyncio.Event()

    def __len__(self) -> int:
        """How many jobs are waiting."""
        return len(self._owner_of)

    def put(self, job_id: str, owner: Owner) -> None:
        """Queue a job behind its owner's other waiting jobs."""
        self._add(job_id, owner)
        self._arrival.set()

    def _add(self, job_id: str, owner: Owner) -> None:
        """Put without waking a slot."""
        self._owner_of[job_id] = owner
        self._arrived_at[job_id] = next(self._clock)
        waiting = self._waiting.setdefault(owner, [])
        waiting.append(job_id)
        if len(waiting) == 1:
            bisect.insort(self._turns, owner, key=self._turn)

    async def take(self) -> str:
        """The job whose turn it is, once there is one; it leaves the line and its owner
        counts as served now."""
        while not self._turns:
            self._arrival.clear()
            await self._arrival.wait()
        owner = self._turns[0]
        self._served_at[owner] = next(self._clock)
        job_id = self._waiting[owner][0]
        self._remove(job_id)
        return job_id

    def count_served(self, owner: Owner) -> None:
        """Count ``owner`` as served now, as a start does: for a line rebuilt from what another
        process recorded (a cluster's replicas keep their line in the store and Redis)."""
        if owner in self._waiting:
            self._turns.remove(owner)
        self._served_at[owner] = next(self._clock)
        if owner in self._waiting:
            bisect.insort(self._turns, owner, key=self._turn)

    def discard(self, job_id: str) -> None:
        """Take a waiting job out of the line (nothing if it is not waiting)."""
        if job_id in self._owner_of:
            self._remove(job_id)

    def run_next(self, job_id: str) -> list[str]:
        """Move a waiting job to the front of its owner's own list (its owner's turns among
        the others stay as they were); the jobs whose turn this changed, it included, in the
        order they will start (none if it is not waiting).

        Only the jobs between its new place and its old one in the start order have other
        jobs before them now; the rest keep the same jobs ahead, perhaps in another order.
        """
        if job_id not in self._owner_of:
            return []
        before = list(self._start_order())
        waiting = self._waiting[self._owner_of[job_id]]
        waiting.remove(job_id)
        waiting.insert(0, job_id)
        after = list(self._start_order())
        changed = [n for n, (old, new) in enumerate(zip(before, after, strict=True))
                   if old != new]
        return after[changed[0]:changed[-1] + 1] if changed else []

    def in_order(self) -> list[str]:
        """Every waiting job, in the order they will start if no other comes."""
        return list(self._start_order())

    def ahead_of_newcomer(self, owner: Owner) -> list[str]:
        """The jobs that would start before a job of ``owner`` queued now: the same rule as
        for a job put in the line, read off a stand-in that leaves again at once."""
        self._add(_NEWCOMER, owner)
        try:
            return self.ahead_of(_NEWCOMER)
        finally:
            self._remove(_NEWCOMER)

    def ahead_of(self, job_id: str) -> list[str]:
        """The jobs that will start before ``job_id`` if no other comes (none if it is not
        waiting), in the order they will start."""
        if job_id not in self._owner_of:
            return []
        return list(itertools.takewhile(lambda other: other != job_id, self._start_order()))

    def is_waiting(self, job_id: str) -> bool:
        """Whether ``job_id`` is in the line."""
        return job_id in self._owner_of

    def behind(self, job_id: str) -> list[str]:
        """The jobs that will start after ``job_id`` if no other comes (none if it is not
        waiting), in the order they will start."""
        if job_id not in self._owner_of:
            return []
        order = self._start_order()
        for other in order:
            if other == job_id:
                break
        return list(order)

    def _turn(self, owner: Owner) -> tuple[int, int]:
        """An owner's place in ``_turns``: least recently served first (never: -1), then the
        arrival of its oldest waiting job (not always its first, after a ``run_next``)."""
        oldest = min(self._arrived_at[job_id] for job_id in self._waiting[owner])
        return self._served_at.get(owner, -1), oldest

    def _remove(self, job_id: str) -> None:
        """Drop a waiting job; its owner takes its place in ``_turns`` again by its new key
        (or leaves them with no job left)."""
        owner = self._owner_of.pop(job_id)
        self._turns.remove(owner)
        waiting = self._waiting[owner]
        waiting.remove(job_id)
        del self._arrived_at[job_id]
        if waiting:
            bisect.insort(self._turns, owner, key=self._turn)
        else:
            del self._waiting[owner]

    def _start_order(self) -> Iterator[str]:
        """Every waiting job in the order they will start if no other comes: round by round,
        the next job of each owner who still has one, owners in their turn order."""
        owners = self._turns
        for round_ in itertools.count():
            owners = [owner for owner in owners if len(self._waiting[owner]) > round_]
            if not owners:
                return
            yield from (self._waiting[owner][round_] for owner in owners)
