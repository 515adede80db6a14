"""What the backend needs from a render pool: run a task on a worker, stop it on cancel.

A task is a plain function called as ``function(*args, should_stop=…, **kwargs)``; it polls
``should_stop`` between frames and raises ``RenderCancelled`` when told to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class WorkerTaskFailed(Exception):
    """A task raised in its worker, or its worker died; the message says what happened."""


class RenderPool(Protocol):
    """Workers that run one task each at a time, first come first served."""

    @property
    def size(self) -> int:
        """How many tasks run at once."""

    @property
    def idle(self) -> bool:
        """Whether no task is running or waiting for a worker."""

    def start(self) -> None:
        """Start the workers."""

    async def ready(self) -> None:
        """Wait until every worker has started and can take a task at once."""

    async def run(self, function: Callable[..., T], *args: Any,
                  on_start: Callable[[], None] | None = None, **kwargs: Any) -> T:
        """Run ``function`` on a worker and return its result; ``on_start`` is called when a
        worker takes it. Cancelling the caller stops the task within about a second."""

    def close(self) -> None:
        """Stop every worker."""
