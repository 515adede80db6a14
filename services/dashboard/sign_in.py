"""How many wrong passwords a name or an address may try before it has to wait, and where the
dashboard checks passwords itself when its backend has no accounts.

Five misses for one name or from one address within 15 minutes make every further try wait:
first ``first_wait`` seconds after the last miss, doubling with each miss after that, never more
than the window. A wait always ends, so a guesser cannot lock the real user out for good, and a
right password clears the name's misses. Kept in the dashboard's memory: a restart forgets it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from services.contract import UserInfo

WINDOW_SECONDS = 15 * 60
FREE_MISSES = 5
MOST_KEPT = 10_000  # names and addresses held before the expired ones are dropped


class SignInLimiter:
    """The misses of each name and each address within the window, and the checks under way
    (a burst of tries at once counts as they go, not only once they have failed)."""

    def __init__(self, *, first_wait: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._first_wait = first_wait
        self._clock = clock
        self._misses: dict[str, deque[float]] = {}
        self._checking: dict[str, int] = {}

    def admit(self, name: str, address: str) -> int:
        """0 if ``name`` may try now from ``address`` (the try then counts as under way until
        ``finish``), else the whole seconds to wait."""
        keys = _keys(name, address)
        wait = max(self._wait(key) for key in keys)
        if wait:
            return wait
        if any(self._too_many_under_way(key) for key in keys):
            return 1
        for key in keys:
            self._checking[key] = self._checking.get(key, 0) + 1
        return 0

    def finish(self, name: str, address: str, *, right: bool | None) -> None:
        """An admitted try is over: a wrong password counts as a miss, the right one forgets
        the name's misses (the address keeps its own), and one that could not be told
        (``None``: the backend did not answer) counts as neither."""
        if len(self._misses) > MOST_KEPT:  # many names or addresses: drop the expired ones
            for key in list(self._misses):
                self._wait(key)
        for key in _keys(name, address):
            left = self._checking.pop(key, 1) - 1
            if left:
                self._checking[key] = left
            if right is False:
                self._misses.setdefault(key, deque()).append(self._clock())
        if right:
            self._misses.pop(f"name:{name}", None)

    def _too_many_under_way(self, key: str) -> bool:
        """Whether the checks under way would use up the free misses, or, once they are used
        up (and the wait is over), whether one is under way already: then one at a time."""
        checking, missed = self._checking.get(key, 0), len(self._misses.get(key, ()))
        return checking > 0 and missed + checking >= FREE_MISSES

    def _wait(self, key: str) -> int:
        misses = self._misses.get(key)
        if misses is None:
            return 0
        now = self._clock()
        while misses and misses[0] <= now - WINDOW_SECONDS:
            misses.popleft()
        if not misses:
            del self._misses[key]
            return 0
        if len(misses) < FREE_MISSES:
            return 0
        wait = min(self._first_wait * 2 ** (len(misses) - FREE_MISSES), WINDOW_SECONDS)
        return max(0, math.ceil(misses[-1] + wait - now))


def _keys(name: str, address: str) -> tuple[str, str]:
    return f"name:{name}", f"address:{address}"


class PasswordBook(Protocol):
    """Accounts the dashboard keeps itself, for a backend without any (it answers the password
    check with 404 or 405); ``main.py`` hands one in."""

    async def open(self) -> None:
        """Open the book."""

    async def close(self) -> None:
        """Close the book."""

    async def check(self, name: str, password: str) -> UserInfo | None:
        """Who signs in, if the password fits."""
