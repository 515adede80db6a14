"""What a progress stream yields to its consumer: typed events, wire and connection alike.

The wire events (``update``, ``done``, ``error``) come from the backend; ``Reconnecting`` and
``ConnectionFailed`` are the stream's own word about its connection. One function
(``apply_event``) folds any of them into the dialog's model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.contract import ProgressResponse


@dataclass(frozen=True, slots=True)
class Update:
    """An ``update`` event: the job's state, and how every screen reads its numbers."""

    progress: ProgressResponse

    def percent_after(self, shown: float) -> float:
        """Where a bar at ``shown`` goes: the job's progress within 0 to 100, never back (one
        job's bar only rises); a progress that is no number leaves it where it is."""
        reported = self.progress.progress
        if not math.isfinite(reported):
            return shown
        return max(shown, min(100.0, max(0.0, reported)))

    @property
    def seconds_left(self) -> float | None:
        """The backend's estimate of the time left, when it is one (finite, not negative)."""
        eta = self.progress.estimated_time_remaining
        return eta if eta is not None and math.isfinite(eta) and eta >= 0 else None


@dataclass(frozen=True, slots=True)
class Done:
    """A ``done`` event: the job ended with ``status``; the stream is over."""

    status: str


@dataclass(frozen=True, slots=True)
class ServerError:
    """An ``error`` event: the server could not read the job this time; the stream goes on."""

    message: str


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The connection dropped; attempt ``attempt`` of ``max_attempts`` is about to start."""

    attempt: int
    max_attempts: int
    reason: str

    @property
    def message(self) -> str:
        """What a person is told meanwhile."""
        return f"Connection lost, reconnecting (attempt {self.attempt} of {self.max_attempts})"


@dataclass(frozen=True, slots=True)
class ConnectionFailed:
    """Every reconnection attempt failed, or the backend refused the stream (``status_code``:
    its 4xx; 404 where it has no such stream); the stream is over until the user retries."""

    reason: str
    status_code: int | None = None

    @property
    def message(self) -> str:
        """What a person is told."""
        return f"Connection failed: {self.reason}"


StreamEvent = Update | Done | ServerError | Reconnecting | ConnectionFailed
