"""``apply_event`` under random event sequences: the invariants every progress view relies on.

Whatever a backend sends, in whatever order: the percent stays within 0..100 and never falls
while the job runs; the ETA is never negative; a terminal phase comes only from ``done``;
after it nothing changes.
"""

from __future__ import annotations

import math
from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st

from services.client.events import (
    ConnectionFailed,
    Done,
    Reconnecting,
    ServerError,
    StreamEvent,
    Update,
)
from services.contract import ProgressResponse, StageInfo
from services.dashboard.progress_model import Phase, ProgressModel, StageState, apply_event

TERMINAL = {Phase.COMPLETED, Phase.FAILED}

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-50, max_value=150),
    st.sampled_from([0.0, 100.0, -0.0, 1e308, -1e-9]),
)
statuses = st.sampled_from(["pending", "processing", "completed", "failed", "paused", ""])
stage_names = st.one_of(
    st.sampled_from(["script_generating", "scene_2_generating", "scene_10_complete",
                     "audio_generating", "composing", "complete", "pending"]),
    st.text(max_size=12),
)
stage_infos = st.builds(StageInfo, name=stage_names, display_name=st.text(max_size=12),
                        progress=numbers)
updates = st.builds(
    ProgressResponse,
    job_id=st.just("job-1"),
    status=statuses,
    progress=numbers,
    current_stage=stage_names,
    current_stage_display=st.text(max_size=20),
    stages_completed=st.lists(stage_infos, max_size=4),
    stages_pending=st.lists(stage_infos, max_size=4),
    estimated_time_remaining=st.one_of(st.none(), numbers),
    error=st.one_of(st.none(), st.text(max_size=20)),
).map(Update)
events: st.SearchStrategy[StreamEvent] = st.one_of(
    updates,
    updates,  # twice: updates are what a stream mostly carries
    st.builds(Done, status=statuses),
    st.builds(ServerError, message=st.text(max_size=20)),
    st.builds(Reconnecting, attempt=st.integers(1, 3), max_attempts=st.just(3),
              reason=st.text(max_size=10)),
    st.builds(ConnectionFailed, reason=st.text(max_size=10)),
)


def snapshot(model: ProgressModel) -> dict[str, object]:
    """Every field of the model, to compare before and after an event."""
    return {field.name: getattr(model, field.name) for field in fields(model)}


@settings(max_examples=400, deadline=None)
@given(sequence=st.lists(events, max_size=30), clock=st.floats(0, 1e6), later=st.floats(0, 1e4))
def test_random_event_sequences_keep_the_models_invariants(
        sequence: list[StreamEvent], clock: float, later: float) -> None:
    model = ProgressModel(job_id="job-1")
    done_seen = False
    for event in sequence:
        before, was_ended, percent = snapshot(model), model.ended, model.percent
        apply_event(model, event, now=clock)
        done_seen = done_seen or isinstance(event, Done)

        assert 0.0 <= model.percent <= 100.0
        assert math.isfinite(model.percent)
        assert model.percent >= percent, "the bar moved backwards"
        assert (model.phase in TERMINAL) == done_seen, "a terminal phase without done"
        if was_ended:
            assert snapshot(model) == before, "the model changed after the job ended"
        left = model.seconds_left(clock + later)
        assert left is None or (math.isfinite(left) and left >= 0)
        current = [row for row in model.stages if row.state == StageState.CURRENT]
        assert len(current) <= 1, "more than one current stage"
        if model.phase == Phase.COMPLETED:
            assert model.percent == 100.0


@settings(max_examples=200, deadline=None)
@given(before=st.lists(updates, max_size=10), status=statuses)
def test_done_ends_the_job_with_its_own_status(before: list[Update], status: str) -> None:
    model = ProgressModel(job_id="job-1")
    for event in before:
        apply_event(model, event, now=0.0)
    apply_event(model, Done(status), now=0.0)
    assert model.phase == (Phase.COMPLETED if status == "completed" else Phase.FAILED)
    assert model.status == status
    assert model.eta_deadline is None
    if model.phase == Phase.FAILED:
        assert model.error, "a failed job says why"
