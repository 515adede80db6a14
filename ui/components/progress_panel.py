"""The live view of one job: bar, percent, stage, ETA, notices, stage list and thumbnails.

Everything here is bound to a ``ProgressModel``; the only thing it does on its own is count
the ETA down once a second between updates (the backend sends one only when the stage
changes). ``ProgressSummary`` is the top of it, which a job card on ``/jobs`` shows too;
``ProgressPanel`` is the whole of it, in the dialog and on the workspace page.
"""

from __future__ import annotations

import time

from nicegui import ui

from services.dashboard.progress_model import Phase, ProgressModel
from services.wording import format_eta, format_percent
from ui.components.announcer import ProgressAnnouncer
from ui.components.progress_bar import ProgressBar
from ui.components.stage_list import StageList
from ui.components.thumbnails import MediaPath, ThumbnailStrip
from ui.format import format_place_in_line


class ProgressSummary(ui.column):
    """Bar and percent, the current stage, the ETA counting down, and connection trouble."""

    def __init__(self, model: ProgressModel) -> None:
        super().__init__()
        self.classes("w-full gap-5")
        self._model = model
        with self:
            with ui.row().classes("w-full items-center no-wrap gap-5"):
                ProgressBar(model)
                ui.label().classes("aurora-percent").props("data-testid=progress-percent") \
                    .bind_text_from(model, "percent", backward=format_percent)
            with ui.column().classes("gap-0"):
                stage = ui.label().classes("aurora-stage-text").props("data-testid=current-stage")
                for field in ("stage_text", "phase", "queue_position"):
                    stage.bind_text_from(model, field, backward=lambda _: self._stage_text())
                self._eta = ui.label().classes("aurora-eta").props("data-testid=eta") \
                    .bind_text_from(model, "eta_deadline", backward=lambda _: self._eta_text())
                self._eta.bind_visibility_from(self._eta, "text", backward=bool)
                shown_while_set(ui.label().classes("aurora-notice"), model, "connection_message") \
                    .props("data-testid=connection-status role=status")
            ui.timer(1.0, lambda: self._eta.set_text(self._eta_text()))

    def _stage_text(self) -> str:
        """The backend's stage text ("Waiting in queue · 2nd in line" while it waits); before
        the first update, that it is connecting."""
        connecting = self._model.phase in (Phase.CONNECTING, Phase.RECONNECTING)
        text = self._model.stage_text or ("Connecting…" if connecting else "")
        place = format_place_in_line(self._model.queue_position)
        return f"{text} · {place}" if text and place else text

    def _eta_text(self) -> str:
        """The ETA line as of now: the model keeps a deadline, not a number to show."""
        return format_eta(self._model.seconds_left(time.monotonic()))


class ProgressPanel(ui.column):
    """One job's progress, as the dashboard spec's card lays it out."""

    def __init__(self, model: ProgressModel, media_path: MediaPath) -> None:
        super().__init__()
        self.classes("w-full gap-5")
        with self:
            ProgressSummary(model)
            shown_while_set(ui.label().classes("aurora-error w-full"), model, "error") \
                .props("data-testid=error-message role=alert")
            StageList(model)
            ThumbnailStrip(model, media_path)
            ProgressAnnouncer(model)


def shown_while_set(label: ui.label, model: ProgressModel, name: str) -> ui.label:
    """``label`` shows the model's text field ``name`` and hides while it is empty."""
    return label.bind_text_from(model, name).bind_visibility_from(model, name, backward=bool)
