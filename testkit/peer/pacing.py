"""Pacing a job's stream from a test: keep it open and quiet, then push the steps to play next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from testkit.peer.steps import Pause, Step

if TYPE_CHECKING:
    from testkit.peer.server import Job


def waiting(seconds: float = 40.0, *, step: float = 0.05) -> list[Step]:
    """Steps that keep a job's stream open and quiet, ready to play a pushed step within ``step``.

    A pause sends keep-alives only if the peer's ``keepalive`` is shorter than ``step``; without
    them, keep ``seconds`` under the dashboard's read timeout (45 s).
    """
    return [Pause(step)] * round(seconds / step)


def play_next(job: Job, *steps: Step) -> None:
    """Have the job's open stream play ``steps`` next; it must be ``waiting``."""
    job.steps.extendleft(reversed(steps))
