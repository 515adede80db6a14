"""``Listeners``: the callbacks the hub's endings and the directory's list changes are told to."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Unsubscribe = Callable[[], None]


class Listeners(Generic[T]):
    """Callbacks to tell about something; one that raises is logged and never stops the rest."""

    def __init__(self) -> None:
        self._callbacks: dict[object, Callable[[T], None]] = {}

    def subscribe(self, callback: Callable[[T], None]) -> Unsubscribe:
        """Add ``callback``; the function returned removes it (calling it again does nothing)."""
        token = object()
        self._callbacks[token] = callback

        def unsubscribe() -> None:
            self._callbacks.pop(token, None)

        return unsubscribe

    def notify(self, value: T) -> None:
        """Call every callback with ``value`` (a callback may unsubscribe while being called)."""
        for callback in list(self._callbacks.values()):
            try:
                callback(value)
            except Exception:
                log.exception("A listener of %s failed", type(value).__name__)
