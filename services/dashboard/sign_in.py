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
    """The misses of each name and each address, within the window."""

    def __init__(self, *, first_wait: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._first_wait = first_wait
        self._clock = clock
        self._misses: dict[str, deque[float]] = {}

    def wait_seconds(self, name: str, address: str) -> int:
        """Whole seconds until ``name`` may try again from ``address`` (0: now)."""
        return max(self._wait(f"name:{name}"), self._wait(f"address:{address}"))

    def missed(self, name: str, address: str) -> None:
        """Count a wrong password."""
        if len(self._misses) > MOST_KEPT:  # many names or addresses: drop the expired ones
            for key in list(self._misses):
                self._wait(key)
        for key in (f"name:{name}", f"address:{address}"):
            self._misses.setdefault(key, deque()).append(self._clock())

    def succeeded(self, name: str) -> None:
        """The right password: the name's misses are forgotten (the address keeps its own)."""
        self._misses.pop(f"name:{name}", None)

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


class PasswordBook(Protocol):
    """Accounts the dashboard keeps itself, for a backend without any (it answers the password
    check with 404 or 405); ``main.py`` hands one in."""

    async def open(self) -> None:
        """Open the book."""

    async def close(self) -> None:
        """Close the book."""

    async def check(self, name: str, password: str) -> UserInfo | None:
        """Who signs in, if the password fits."""
