"""A running job on its workspace page: its live progress until it ends, then the finished page."""

from __future__ import annotations

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.client import AuroraClient
from services.progress_model import Phase
from services.progress_tracker import ProgressTracker
from ui.components.progress_panel import ProgressPanel
from ui.theme import action_button


class LiveJob(ui.column):
    """The progress panel with a *Retry* for a failed connection; reloads once the job ends.

    The tracker stops when the tab's client is deleted; ``follow()`` starts it once the
    browser is connected.
    """

    phase = BindableProperty(on_change=lambda live, phase: live._entered(phase))

    def __init__(self, client: AuroraClient, tracker: ProgressTracker) -> None:
        super().__init__()
        self.classes("aurora-panel w-full p-6 gap-4")
        self._tracker = tracker
        with self:
            ui.label("Generating your video").classes("text-xl font-bold")
            ProgressPanel(tracker.model, client.asset_url)
            action_button("Retry", tracker.start, test_id="retry-button").classes("self-end") \
                .bind_visibility_from(tracker.model, "phase", value=Phase.CONNECTION_FAILED)
        self.phase = tracker.model.phase
        binding.bind_from(self, "phase", tracker.model, "phase")
        ui.context.client.on_delete(tracker.stop)

    def follow(self) -> None:
        """Start following the job's progress."""
        self._tracker.start()

    def _entered(self, phase: Phase) -> None:
        """Show the finished page (video or failure) as soon as the job has ended."""
        if phase in (Phase.COMPLETED, Phase.FAILED):
            with self:
                ui.navigate.reload()
