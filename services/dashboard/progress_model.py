"""What a progress view shows about one job, and the one function that changes it.

``ProgressModel`` is a NiceGUI bindable dataclass: an element bound to a field updates the
moment the field is reassigned, with no polling. ``apply_event`` folds one stream event into
it and holds every display rule (clamping, a bar that never goes back, when a job counts as
ended), so the dialog, the workspace and any later shared hub show the same thing.

Only ``nicegui.binding`` is imported: this module describes state and never builds UI.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum

from nicegui import binding

from services.client.events import (
    ConnectionFailed,
    Done,
    Reconnecting,
    ServerError,
    StreamEvent,
    Update,
)
from services.contract import JobStatus, ProgressResponse

_SCENE_NAME = re.compile(r"^scene_(\d+)")


class Phase(StrEnum):
    """Where the view stands: the dialog's states of the dashboard spec."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    CONNECTION_FAILED = "connection_failed"
    FAILED = "failed"
    COMPLETED = "completed"


class StageState(StrEnum):
    """A listed stage's state; the value is the ``data-state`` the browser sees."""

    COMPLETED = "completed"
    CURRENT = "current"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StageRow:
    """One line of the stage list."""

    name: str
    text: str
    state: StageState


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A finished scene's thumbnail, as the backend gave its URL (not yet absolutized)."""

    scene_number: int | None
    url: str


@binding.bindable_dataclass
class ProgressModel:
    """Everything a progress view shows about one job.

    Lists are replaced, never mutated in place: only a reassignment reaches bound elements.
    """

    job_id: str
    phase: Phase = Phase.CONNECTING
    status: str = JobStatus.PENDING
    percent: float = 0.0
    stage_text: str = ""
    eta_seconds: float | None = None
    eta_deadline: float | None = None  # time.monotonic() at which the ETA reaches zero
    stages: list[StageRow] = field(default_factory=list)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    scene_count: int = 0
    queue_position: int | None = None  # while pending, where the backend has a line: 1 = next
    connection_message: str = ""
    error: str = ""

    @property
    def ended(self) -> bool:
        """Whether a ``done`` event has ended the job (nothing changes the model after it)."""
        return self.phase in (Phase.COMPLETED, Phase.FAILED)

    def seconds_left(self, now: float) -> float | None:
        """The ETA counted down to ``now``; never negative, ``None`` when unknown."""
        if self.eta_deadline is None:
            return None
        return max(0.0, self.eta_deadline - now)


def begin_again(model: ProgressModel) -> None:
    """Show a retried job from the start of its next attempt: every view bound to ``model``
    goes back to connecting, and the attempt's first update brings back what it kept."""
    fresh = ProgressModel(job_id=model.job_id)
    for name in (field_.name for field_ in fields(ProgressModel)):
        setattr(model, name, getattr(fresh, name))


def apply_event(model: ProgressModel, event: StreamEvent, *, now: float | None = None) -> None:
    """Fold one stream event into ``model``.

    ``now`` is the ``time.monotonic()`` the ETA deadline is counted from (tests pass it).
    """
    if model.ended:
        return
    match event:
        case Update() as update:
            _apply_update(model, update, time.monotonic() if now is None else now)
        case Done(status=status):
            _apply_done(model, status)
        case ServerError(message=message):
            model.connection_message = message
        case Reconnecting() as lost:
            model.phase = Phase.RECONNECTING
            model.connection_message = lost.message
        case ConnectionFailed() as failed:
            model.phase = Phase.CONNECTION_FAILED
            model.connection_message = failed.message
            model.eta_seconds = model.eta_deadline = None


def _apply_update(model: ProgressModel, update: Update, now: float) -> None:
    state = update.progress
    model.percent = update.percent_after(model.percent)  # the model is one job's, for life
    model.status = state.status
    model.stage_text = state.current_stage_display or state.current_stage
    model.queue_position = state.queue_position if state.status == JobStatus.PENDING else None
    eta = update.seconds_left
    if eta is not None:
        model.eta_seconds, model.eta_deadline = eta, now + eta
    else:
        model.eta_seconds = model.eta_deadline = None
    model.stages = _stage_rows(state)
    if state.assets is not None:
        model.thumbnails = [Thumbnail(asset.scene_number, asset.url)
                            for asset in state.assets.thumbnails]
    model.scene_count = max(_scene_count(state), len(model.thumbnails))
    model.error = state.error or ""
    model.connection_message = ""
    model.phase = Phase.LIVE


def _apply_done(model: ProgressModel, status: str) -> None:
    completed = status == JobStatus.COMPLETED
    model.status = status
    model.queue_position = None
    model.eta_seconds = model.eta_deadline = None
    model.connection_message = ""
    if completed:
        model.percent = 100.0
        model.stages = [replace(row, state=StageState.COMPLETED) for row in model.stages]
    else:
        model.error = model.error or "Generation failed"
        model.stages = [replace(row, state=StageState.FAILED)
                        if row.state == StageState.CURRENT else row for row in model.stages]
    model.phase = Phase.COMPLETED if completed else Phase.FAILED


def _stage_rows(state: ProgressResponse) -> list[StageRow]:
    """Completed stages, then the current one, then the pending ones.

    The contract leaves the running stage out of both lists; between two stages (e.g.
    "Scene 2 ready") the next pending one is shown as current, so a spinner is always
    there while the job runs. A stage the dashboard has never heard of is listed with the
    backend's display text like any other, and one without a display text by its name.
    """
    done = [StageRow(stage.name, stage.display_name or stage.name, StageState.COMPLETED)
            for stage in state.stages_completed]
    waiting = [StageRow(stage.name, stage.display_name or stage.name, StageState.PENDING)
               for stage in state.stages_pending]
    if state.status in (JobStatus.PENDING, JobStatus.COMPLETED):
        return done + waiting
    failed = state.status == JobStatus.FAILED
    text = state.current_stage_display or state.current_stage
    if text and text not in {row.text for row in done}:
        current = StageRow(state.current_stage, text,
                           StageState.FAILED if failed else StageState.CURRENT)
        return [*done, current, *waiting]
    if waiting and not failed:
        waiting[0] = replace(waiting[0], state=StageState.CURRENT)
    return done + waiting


def _scene_count(state: ProgressResponse) -> int:
    """How many scenes the job has, as far as its stage names tell (0 when they do not)."""
    names = [stage.name for stage in (*state.stages_completed, *state.stages_pending)]
    numbers = [int(match.group(1)) for name in (*names, state.current_stage)
               if (match := _SCENE_NAME.match(name))]
    return max(numbers, default=0)
