"""The progress dialog: a job's live progress over the page, in the states of the dashboard spec.

| phase             | actions                    |
| ----------------- | -------------------------- |
| connecting        | Cancel                     |
| live              | Run in background, Cancel  |
| reconnecting      | Cancel                     |
| connection failed | Retry, Cancel              |
| job failed        | Close, Try Again           |
| completed         | Open video (or by itself)  |

The dialog owns its tracker's life: it starts following when shown and stops when closed
or when the browser tab's client is deleted (never on a mere disconnect, which a reconnect
follows). A closed dialog deletes itself, timers and bindings included.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.client import AuroraClient, AuroraError, CancelNotSupported, JobAlreadyEnded
from services.progress_model import Phase
from services.progress_tracker import ProgressTracker
from ui.components.progress_panel import ProgressPanel
from ui.theme import action_button

OPEN_VIDEO_DELAY = 1.5  # seconds the success state shows before the workspace opens

_TITLES = {
    Phase.FAILED: "Generation failed",
    Phase.COMPLETED: "Your video is ready",
}
_RUNNING = frozenset({Phase.CONNECTING, Phase.LIVE, Phase.RECONNECTING, Phase.CONNECTION_FAILED})


def workspace_url(job_id: str) -> str:
    """Where a job's finished video is shown."""
    return f"/workspace/{job_id}"


class ProgressDialog(ui.dialog):
    """A persistent full-screen overlay following one job until it ends or the user leaves."""

    phase = BindableProperty(on_change=lambda dialog, phase: dialog._entered(phase))

    def __init__(self, client: AuroraClient, tracker: ProgressTracker, *,
                 on_closed: Callable[[], None], on_try_again: Callable[[], None]) -> None:
        super().__init__()
        self.props("persistent maximized transition-show=fade transition-hide=fade")
        self._api = client
        self._tracker = tracker
        self._on_closed = on_closed
        self._on_try_again = on_try_again
        model = tracker.model
        with self, ui.element("div").classes("aurora-overlay"), \
                ui.column().classes("aurora-progress-card gap-5") \
                .props("data-testid=progress-dialog role=dialog aria-modal=true"):
            ui.label().classes("aurora-dialog-title") \
                .bind_text_from(model, "phase",
                                backward=lambda phase: _TITLES.get(phase, "Generating Your Video"))
            ui.label("Done. Opening your video…").classes("aurora-success") \
                .bind_visibility_from(model, "phase", value=Phase.COMPLETED)
            ProgressPanel(model, client.asset_url)
            with ui.row().classes("w-full justify-end gap-3"):
                self._action("Run in background", "background-button", self._run_in_background,
                             {Phase.LIVE}, subtle=True)
                self._action("Retry", "retry-button", tracker.start, {Phase.CONNECTION_FAILED})
                self._action("Cancel", "cancel-button", self._cancel, _RUNNING)
                self._action("Close", "close-button", self._close, {Phase.FAILED}, subtle=True)
                self._action("Try Again", "try-again-button", self._try_again, {Phase.FAILED})
                self._action("Open video", "open-video-button", self._open_video,
                             {Phase.COMPLETED})
        self.phase = model.phase
        binding.bind_from(self, "phase", model, "phase")
        ui.context.client.on_delete(tracker.stop)

    def show(self) -> None:
        """Open the dialog and start following the job."""
        self.open()
        self._tracker.start()

    def _action(self, text: str, test_id: str, handler: Callable[[], object],
                phases: AbstractSet[Phase], *, subtle: bool = False) -> None:
        """A button at the bottom, shown only in ``phases``."""
        action_button(text, handler, test_id=test_id, subtle=subtle) \
            .bind_visibility_from(self._tracker.model, "phase", backward=lambda p: p in phases)

    def _entered(self, phase: Phase) -> None:
        """Open the workspace shortly after success, so the user sees the success state."""
        if phase == Phase.COMPLETED:
            with self:
                ui.timer(OPEN_VIDEO_DELAY, self._open_video, once=True)

    def _open_video(self) -> None:
        ui.navigate.to(workspace_url(self._tracker.model.job_id))

    async def _cancel(self) -> None:
        """Cancel the job where the backend can, then stop following and close."""
        try:
            await self._api.cancel(self._tracker.model.job_id)
        except (CancelNotSupported, JobAlreadyEnded):
            pass  # nothing to stop on the backend: closing is all the user asked for
        except AuroraError as error:
            ui.notify(f"Could not cancel the job: {error}", type="warning")
        await self._close()

    async def _run_in_background(self) -> None:
        ui.notify("Your video keeps generating in the background.", type="info")
        await self._close()

    async def _try_again(self) -> None:
        await self._close()
        self._on_try_again()

    async def _close(self) -> None:
        """Stop following, close, and delete the dialog (its timers and bindings with it)."""
        await self._tracker.stop()
        if self.is_deleted:
            return
        self.close()
        self._on_closed()
        self.delete()
