"""A running job on its workspace page: its live progress until it ends, then the finished page."""

from __future__ import annotations

from functools import partial

from nicegui import ui

from services.dashboard.progress_model import Phase
from services.dashboard.shared import Dashboard
from ui.components.progress_panel import ProgressPanel
from ui.components.tab_title import TabTitle
from ui.components.watching import WatchingElement
from ui.theme import action_button


class LiveJob(ui.column, WatchingElement):
    """The progress panel with a *Retry* for a failed connection; reloads once the job ends.

    It watches the job through the hub from the moment it is made (so make it once the
    browser is connected) until it is deleted with the tab.
    """

    def __init__(self, dashboard: Dashboard, job_id: str) -> None:
        super().__init__()
        self.classes("aurora-panel w-full p-6 gap-4")
        model = self._follow(dashboard.hub, job_id).model
        with self:
            ui.label("Generating your video").classes("text-xl font-bold")
            ProgressPanel(model, partial(dashboard.media.path_for, job_id=job_id))
            TabTitle(model)
            action_button("Retry", lambda: dashboard.hub.retry(job_id), test_id="retry-button") \
                .classes("self-end") \
                .bind_visibility_from(model, "phase", value=Phase.CONNECTION_FAILED)
        self._follow_phase(model)

    def _entered(self, phase: Phase) -> None:
        """Show the finished page (video or failure) as soon as the job has ended."""
        if phase in (Phase.COMPLETED, Phase.FAILED):
            with self:
                ui.navigate.reload()
