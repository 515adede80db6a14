"""The pipeline's stages and their progress figures, exactly as the contract's table.

Pure functions of (current stage, scene count): the job runner only ever says which stage a
job is in, and everything a client reads about it (display text, percent, the ✓/⟳/⋯ lists)
is derived here, so the figures cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from services.contract.models import StageInfo

PENDING = "pending"
SCRIPT_GENERATING = "script_generating"
SCRIPT_COMPLETE = "script_complete"
AUDIO_GENERATING = "audio_generating"
AUDIO_COMPLETE = "audio_complete"
COMPOSING = "composing"
COMPLETE = "complete"

_FIXED: dict[str, tuple[str, float]] = {
    PENDING: ("Waiting in queue", 0),
    SCRIPT_GENERATING: ("Generating script with AI", 0),
    SCRIPT_COMPLETE: ("Script ready", 15),
    AUDIO_GENERATING: ("Generating background music", 90),
    AUDIO_COMPLETE: ("Audio ready", 95),
    COMPOSING: ("Composing final video", 98),
    COMPLETE: ("Complete", 100),
}
_SCENE_STAGE = re.compile(r"^scene_(\d+)_(generating|complete)$")


def scene_generating(number: int) -> str:
    """The stage name while scene ``number`` renders."""
    return f"scene_{number}_generating"


def scene_complete(number: int) -> str:
    """The stage name once scenes 1..``number`` are ready."""
    return f"scene_{number}_complete"


def stage_sequence(scene_count: int) -> list[str]:
    """Every stage a job passes through, in contract order (after ``pending``)."""
    scenes = [
        name
        for number in range(1, scene_count + 1)
        for name in (scene_generating(number), scene_complete(number))
    ]
    return [SCRIPT_GENERATING, SCRIPT_COMPLETE, *scenes, AUDIO_GENERATING, AUDIO_COMPLETE,
            COMPOSING, COMPLETE]


def stage_display(stage: str) -> str:
    """The text a person reads for ``stage`` (the contract's ``current_stage_display``)."""
    if stage in _FIXED:
        return _FIXED[stage][0]
    match = _SCENE_STAGE.match(stage)
    if match is None:
        return stage
    number, phase = match.groups()
    return f"Generating scene {number}" if phase == "generating" else f"Scene {number} ready"


def stage_progress(stage: str, scene_count: int) -> float:
    """The overall percent for ``stage`` in a job of ``scene_count`` scenes."""
    if stage in _FIXED:
        return _FIXED[stage][1]
    match = _SCENE_STAGE.match(stage)
    if match is None:
        return 0
    number, phase = int(match.group(1)), match.group(2)
    done = number - 1 if phase == "generating" else number
    return round(15 + 75 * done / scene_count, 2)


def logical_stages(scene_count: int) -> list[tuple[str, str, str]]:
    """The stages a person sees listed: (name, display when done, display when pending)."""
    scenes = [
        (f"scene_{number}", f"Scene {number} ready", f"Scene {number}")
        for number in range(1, scene_count + 1)
    ]
    return [
        ("script", "Script ready", "Script"),
        *scenes,
        ("audio", "Audio ready", "Background music"),
        ("compose", "Video composed", "Final composition"),
    ]


def _logical_position(stage: str, scene_count: int) -> tuple[int, bool]:
    """How many logical stages are done at ``stage``, and whether the next one is under way."""
    sequence = stage_sequence(scene_count)
    if stage not in sequence:
        return 0, False
    index = sequence.index(stage)
    if stage == COMPLETE:
        return scene_count + 3, False
    # Sequence pairs (…_generating, …_complete) per logical stage, except compose (one stage).
    return (index + 1) // 2, index % 2 == 0


def stage_lists(
    stage: str, scene_count: int, completed_at: Mapping[str, float]
) -> tuple[list[StageInfo], list[StageInfo]]:
    """The contract's ``stages_completed`` and ``stages_pending`` (without the current one)."""
    done, running = _logical_position(stage, scene_count)
    completed: list[StageInfo] = []
    pending: list[StageInfo] = []
    for index, (name, done_text, pending_text) in enumerate(logical_stages(scene_count)):
        if index < done:
            completed.append(StageInfo(name=name, display_name=done_text, progress=100,
                                       completed_at=completed_at.get(name)))
        elif index == done and running:
            continue
        else:
            pending.append(StageInfo(name=name, display_name=pending_text, progress=0))
    return completed, pending


def logical_stage_finished_by(stage: str) -> str | None:
    """The logical stage that ``stage`` completes (its ✓ timestamp is taken then), if any."""
    if stage == SCRIPT_COMPLETE:
        return "script"
    if stage == AUDIO_COMPLETE:
        return "audio"
    if stage == COMPLETE:
        return "compose"
    match = _SCENE_STAGE.match(stage)
    if match is not None and match.group(2) == "complete":
        return f"scene_{match.group(1)}"
    return None
