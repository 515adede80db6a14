"""Which stages a job has reached, from the work it has finished.

The one rule that keeps a job's stage events in contract order, each once, however its work
finishes: scenes render in parallel and end in any order, the music may be ready first, and on
a cluster each piece ends on another machine. Whoever finishes a piece records it in the job's
assets and then publishes ``due_stages``: the stages between the one last published and the
furthest the finished work allows.
"""

from __future__ import annotations

from services.backend.store import JobRecord
from services.contract import stages


def furthest_stage(record: JobRecord) -> str:
    """The furthest stage the job's finished work allows (it has started)."""
    if record.script is None:
        return stages.SCRIPT_GENERATING
    finished = record.assets.get("scenes", {})
    ready = 0  # scenes 1..ready are all finished
    while str(ready + 1) in finished:
        ready += 1
    if ready < record.scene_count:
        return stages.scene_generating(ready + 1)
    if "final" in record.assets:
        return stages.COMPLETE
    if "audio" in record.assets:
        return stages.COMPOSING
    return stages.AUDIO_GENERATING


def completed_stage(record: JobRecord) -> str:
    """The last stage the job's finished work completes, ``pending`` when it has none: where a
    retried job waits, so its states list that work completed before it starts again."""
    sequence = [stages.PENDING, *stages.stage_sequence(record.scene_count)]
    return sequence[sequence.index(furthest_stage(record)) - 1]


def due_stages(record: JobRecord) -> list[str]:
    """The stages after the job's current one, up to the furthest its work allows, in order."""
    sequence = stages.stage_sequence(record.scene_count)
    current = sequence.index(record.current_stage) if record.current_stage in sequence else -1
    return sequence[current + 1: sequence.index(furthest_stage(record)) + 1]
