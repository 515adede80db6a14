"""What a progress stream yields to its consumer: typed events, wire and connection alike.

The wire events (``update``, ``done``, ``error``) come from the backend; ``Reconnecting`` and
``ConnectionFailed`` are the stream's own word about its connection. One function
(``apply_event``) folds any of them into the dialog's model.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.contract import ProgressResponse


@dataclass(frozen=True, slots=True)
class Update:
    """An ``update`` event: the job's state."""

    progress: ProgressResponse


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


@dataclass(frozen=True, slots=True)
class ConnectionFailed:
    """Every reconnection attempt failed, or the backend refused the stream (``status_code``:
    its 4xx; 404 where it has no such stream); the stream is over until the user retries."""

    reason: str
    status_code: int | None = None


StreamEvent = Update | Done | ServerError | Reconnecting | ConnectionFailed
