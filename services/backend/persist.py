"""Asking the store again while it cannot be reached, for the calls a job cannot go without:
reading a job a slot has taken, and storing a job's end (a job whose end is never stored
never ends, and its streams never get ``done``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.backend.store import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_WAIT_SECONDS, LONGEST_WAIT_SECONDS = 0.5, 5.0


async def until_stored(call: Callable[[], Awaitable[T]], *, what: str) -> T:
    """``call()``'s result, trying again with growing waits while the store is unavailable.

    Cancelling the caller ends the waiting (a backend that stops leaves the job to the next
    start, which marks it interrupted).
    """
    wait = FIRST_WAIT_SECONDS
    while True:
        try:
            return await call()
        except StoreUnavailable as error:
            log.warning("%s: the store cannot be reached (%s); trying again in %.1f s",
                        what, error, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)
