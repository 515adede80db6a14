"""What a peer's progress streams play: steps a test scripts per job, and a whole contract run.

A job's steps form one queue shared by its connections: each connection takes the next step,
so a script reads as the story of the job across reconnections::

    [SendUpdate(progress=10), Drop(), SendUpdate(progress=50), SendDone()]

plays an update and a drop on the first connection, then an update and ``done`` on the
second. When the steps run out, the stream does what a contract backend does (see
``Peer``): the current state, then ``done`` once the job has ended.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, init=False)
class SendUpdate:
    """Merge ``fields`` into the job's state and send the whole state as an ``update``."""

    fields: Mapping[str, Any]

    def __init__(self, **fields: Any) -> None:
        object.__setattr__(self, "fields", fields)


@dataclass(frozen=True)
class SendDone:
    """Set the job's status, send ``done`` with it and close the stream."""

    status: str = "completed"


@dataclass(frozen=True)
class SendError:
    """Send an ``error`` event; the stream goes on."""

    message: str = "Could not read the job"


@dataclass(frozen=True)
class SendEvent:
    """Send any event name with ``data`` as it is: bad JSON, a wrong shape, an unknown event."""

    event: str
    data: str


@dataclass(frozen=True)
class Drop:
    """Close the connection without ``done``, as a dropped connection would."""


@dataclass(frozen=True)
class Silence:
    """Send nothing at all, not even keep-alives, for ``seconds``: a stream gone dead."""

    seconds: float


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` (forever by default) sending keep-alives: a quiet but live stream."""

    seconds: float = math.inf


Step = SendUpdate | SendDone | SendError | SendEvent | Drop | Silence | Pause


def contract_run(scenes: int = 3, *, pause: float = 0.0) -> list[Step]:
    """Steps taking a job through every stage of the contract's table, then ``done``.

    ``pause`` seconds pass between stages (with keep-alives), so a browser can watch.
    """
    logical = [("script", "Script ready", "Script")]
    logical += [(f"scene_{k}", f"Scene {k} ready", f"Scene {k}") for k in range(1, scenes + 1)]
    logical += [("audio", "Audio ready", "Background music")]
    logical += [("compose", "Video composed", "Final composition")]
    # (current_stage, its display, progress, logical stages completed, whether one is at work)
    rows: list[tuple[str, str, float, int, bool]] = [
        ("script_generating", "Generating script with AI", 0, 0, True),
        ("script_complete", "Script ready", 15, 1, False),
    ]
    for k in range(1, scenes + 1):
        before, after = 15 + 75 * (k - 1) / scenes, 15 + 75 * k / scenes
        rows.append((f"scene_{k}_generating", f"Generating scene {k}", before, k, True))
        rows.append((f"scene_{k}_complete", f"Scene {k} ready", after, k + 1, False))
    rows += [
        ("audio_generating", "Generating background music", 90, scenes + 1, True),
        ("audio_complete", "Audio ready", 95, scenes + 2, False),
        ("composing", "Composing final video", 98, scenes + 2, True),
        ("complete", "Complete", 100, scenes + 3, False),
    ]
    steps: list[Step] = []
    for index, (stage, display, progress, completed, at_work) in enumerate(rows):
        remaining = len(rows) - 1 - index
        steps.append(
            SendUpdate(
                status="completed" if remaining == 0 else "processing",
                progress=progress,
                current_stage=stage,
                current_stage_display=display,
                stages_completed=[
                    {"name": name, "display_name": ready, "progress": 100}
                    for name, ready, _ in logical[:completed]
                ],
                stages_pending=[
                    {"name": name, "display_name": waiting, "progress": 0}
                    for name, _, waiting in logical[completed + at_work :]
                ],
                estimated_time_remaining=remaining * pause,
            )
        )
        if pause and remaining:
            steps.append(Pause(pause))
    steps.append(SendDone("completed"))
    return steps
