"""``apply_event``: how each stream event changes what a progress view shows."""

import math
from typing import Any

import pytest
from nicegui import binding

from services.client.events import ConnectionFailed, Done, Reconnecting, ServerError, Update
from services.contract import ProgressResponse
from services.dashboard.progress_model import (
    Phase,
    ProgressModel,
    StageState,
    Thumbnail,
    apply_event,
)

NOW = 1000.0


def update(**fields: Any) -> Update:
    """An ``update`` of job-1 at scene 3 of 5 (30 s), with ``fields`` overriding."""
    state: dict[str, Any] = {
        "job_id": "job-1",
        "status": "processing",
        "progress": 60,
        "current_stage": "scene_3_generating",
        "current_stage_display": "Generating scene 3",
        "stages_completed": [
            {"name": "script", "display_name": "Script ready"},
            {"name": "scene_1", "display_name": "Scene 1 ready"},
            {"name": "scene_2", "display_name": "Scene 2 ready"},
        ],
        "stages_pending": [
            {"name": "scene_4", "display_name": "Scene 4"},
            {"name": "scene_5", "display_name": "Scene 5"},
            {"name": "audio", "display_name": "Background music"},
            {"name": "compose", "display_name": "Final composition"},
        ],
        "estimated_time_remaining": 150,
        "assets": {"scene_clips": [], "thumbnails": [
            {"url": "/media/1.jpg", "scene_number": 1, "created_at": 1},
            {"url": "/media/2.jpg", "scene_number": 2, "created_at": 2},
        ]},
    }
    return Update(ProgressResponse.model_validate(state | fields))


def model_after(*events: Any) -> ProgressModel:
    model = ProgressModel(job_id="job-1")
    for event in events:
        apply_event(model, event, now=NOW)
    return model


def states(model: ProgressModel) -> list[tuple[str, StageState]]:
    return [(row.text, row.state) for row in model.stages]


def test_a_new_model_is_connecting_and_empty() -> None:
    model = ProgressModel(job_id="job-1")
    assert (model.phase, model.percent, model.stage_text, model.stages) == (
        Phase.CONNECTING, 0, "", [])
    assert model.seconds_left(NOW) is None


def test_an_update_shows_the_whole_state() -> None:
    model = model_after(update())
    assert model.phase == Phase.LIVE
    assert model.percent == 60
    assert model.stage_text == "Generating scene 3"
    assert model.eta_seconds == 150
    assert model.eta_deadline == NOW + 150
    assert states(model) == [
        ("Script ready", StageState.COMPLETED),
        ("Scene 1 ready", StageState.COMPLETED),
        ("Scene 2 ready", StageState.COMPLETED),
        ("Generating scene 3", StageState.CURRENT),
        ("Scene 4", StageState.PENDING),
        ("Scene 5", StageState.PENDING),
        ("Background music", StageState.PENDING),
        ("Final composition", StageState.PENDING),
    ]
    assert model.thumbnails == [Thumbnail(1, "/media/1.jpg"), Thumbnail(2, "/media/2.jpg")]
    assert model.scene_count == 5


@pytest.mark.parametrize(("sent", "shown"), [(150, 100), (-5, 0), (42.5, 42.5)])
def test_progress_is_clamped_to_0_100(sent: float, shown: float) -> None:
    assert model_after(update(progress=sent)).percent == shown


def test_a_progress_that_is_not_a_number_leaves_the_bar_alone() -> None:
    assert model_after(update(progress=40), update(progress=math.nan)).percent == 40


def test_the_bar_never_moves_backwards_for_the_same_job() -> None:
    model = model_after(update(progress=65), update(progress=40))
    assert model.percent == 65
    assert model.stage_text == "Generating scene 3"


def test_an_unknown_stage_is_shown_with_its_display_text_or_else_its_name() -> None:
    model = model_after(update(current_stage="upscaling", current_stage_display="Upscaling frames"))
    assert model.stage_text == "Upscaling frames"
    assert ("Upscaling frames", StageState.CURRENT) in states(model)
    assert model_after(update(current_stage="upscaling", current_stage_display="")).stage_text \
        == "upscaling"


def test_between_two_stages_the_next_pending_one_is_current() -> None:
    model = model_after(update(current_stage="scene_2_complete",
                               current_stage_display="Scene 2 ready",
                               stages_pending=[{"name": "scene_3", "display_name": "Scene 3"},
                                               {"name": "audio",
                                                "display_name": "Background music"}]))
    assert states(model)[2:] == [("Scene 2 ready", StageState.COMPLETED),
                                 ("Scene 3", StageState.CURRENT),
                                 ("Background music", StageState.PENDING)]


def test_a_queued_job_lists_every_stage_as_pending() -> None:
    model = model_after(update(status="pending", progress=0, current_stage="pending",
                               current_stage_display="Waiting in queue", stages_completed=[]))
    assert model.stage_text == "Waiting in queue"
    assert {state for _, state in states(model)} == {StageState.PENDING}


def test_a_completed_update_is_not_the_end_until_done() -> None:
    model = model_after(update(status="completed", progress=100, stages_pending=[]))
    assert model.phase == Phase.LIVE
    assert not model.ended


def test_done_completed_ends_the_job_at_100_with_every_stage_ticked() -> None:
    model = model_after(update(), Done("completed"))
    assert model.phase == Phase.COMPLETED
    assert model.ended
    assert model.percent == 100
    assert {state for _, state in states(model)} == {StageState.COMPLETED}
    assert model.seconds_left(NOW) is None


def test_done_failed_shows_the_backends_reason_and_marks_the_stage_that_failed() -> None:
    model = model_after(update(), update(status="failed", error="Cancelled by user"),
                        Done("failed"))
    assert model.phase == Phase.FAILED
    assert model.error == "Cancelled by user"
    assert ("Generating scene 3", StageState.FAILED) in states(model)


def test_done_failed_without_a_reason_still_says_it_failed() -> None:
    assert model_after(Done("failed")).error == "Generation failed"


def test_done_with_no_update_before_it_ends_the_job() -> None:
    assert model_after(Done("completed")).phase == Phase.COMPLETED


def test_nothing_changes_a_job_after_done() -> None:
    model = model_after(update(), Done("completed"),
                        Reconnecting(1, 3, "dropped"), update(progress=10))
    assert (model.phase, model.percent, model.connection_message) == (Phase.COMPLETED, 100, "")


def test_reconnecting_keeps_the_last_state_and_says_which_attempt() -> None:
    model = model_after(update(), Reconnecting(2, 3, "The stream ended"))
    assert model.phase == Phase.RECONNECTING
    assert model.connection_message == "Connection lost, reconnecting (attempt 2 of 3)"
    assert model.percent == 60
    assert model.stage_text == "Generating scene 3"


def test_an_update_after_reconnecting_is_live_again() -> None:
    model = model_after(update(), Reconnecting(1, 3, "dropped"), update(progress=75))
    assert (model.phase, model.connection_message, model.percent) == (Phase.LIVE, "", 75)


def test_connection_failed_says_why_and_stops_the_countdown() -> None:
    model = model_after(update(), ConnectionFailed("Cannot reach the backend"))
    assert model.phase == Phase.CONNECTION_FAILED
    assert model.connection_message == "Connection failed: Cannot reach the backend"
    assert model.seconds_left(NOW) is None
    assert not model.ended


def test_a_server_error_is_shown_and_the_stream_goes_on() -> None:
    model = model_after(update(), ServerError("Could not read the job"))
    assert (model.phase, model.connection_message) == (Phase.LIVE, "Could not read the job")


@pytest.mark.parametrize("eta", [None, -3, math.nan, math.inf])
def test_an_unusable_eta_is_unknown(eta: float | None) -> None:
    model = model_after(update(estimated_time_remaining=eta))
    assert (model.eta_seconds, model.seconds_left(NOW)) == (None, None)


def test_the_eta_counts_down_to_zero_and_never_below() -> None:
    model = model_after(update(estimated_time_remaining=10))
    assert model.seconds_left(NOW + 4) == 6
    assert model.seconds_left(NOW + 60) == 0


class View:
    """Stands in for an element: binding sets its attributes."""

    def __init__(self) -> None:
        self.stages: list[Any] = []
        self.percent = 0.0


def test_bound_views_see_every_change_because_lists_are_reassigned() -> None:
    model = ProgressModel(job_id="job-1")
    view = View()
    binding.bind_from(view, "stages", model, "stages")
    binding.bind_from(view, "percent", model, "percent")
    apply_event(model, update(), now=NOW)
    assert view.percent == 60
    assert [row.text for row in view.stages][3] == "Generating scene 3"
    apply_event(model, Done("completed"), now=NOW)
    assert view.percent == 100
    assert {row.state for row in view.stages} == {StageState.COMPLETED}
    binding.remove([view])
