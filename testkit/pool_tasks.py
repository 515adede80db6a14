"""Tasks for tests of the render pool: importing this module in a worker costs next to
nothing, so what a task measures there is the worker's, not the import's."""

from __future__ import annotations

import time


def cpu_seconds_so_far(*, should_stop: object) -> float:
    """The CPU time its worker process had used when the task began."""
    return time.process_time()


def pause(seconds: float, *, should_stop: object) -> None:
    """Hold the worker for ``seconds``."""
    time.sleep(seconds)
