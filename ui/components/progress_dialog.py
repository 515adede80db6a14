"""The progress dialog: a job's live progress over the page, in the states of the dashboard spec.

| phase             | actions                    |
| ----------------- | -------------------------- |
| connecting        | Cancel                     |
| live              | Run in background, Cancel  |
| reconnecting      | Cancel                     |
| connection failed | Retry, Cancel              |
| job failed        | Close, Try Again, Retry    |
| completed         | Open video (or by itself)  |

The dialog watches its job through the hub, so every tab showing the job shares one upstream
stream and one model: a tab opened late, or reloaded, is in sync at once. It lets go when it
closes, or when it is deleted with its tab's client (never on a mere disconnect, which a
reconnect follows); a closed dialog deletes itself, timers and bindings included. *Retry* on a
failed job (its owner's or an admin's) takes the job up again where it stopped, and the same
dialog follows the new attempt; *Try Again* goes back to the form.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import partial

from nicegui import ui

from services.client import AuroraError
from services.dashboard.progress_model import Phase
from services.dashboard.shared import Dashboard
from ui.access import page_user
from ui.components.job_actions import cancel_job, retry_job
from ui.components.progress_panel import ProgressPanel
from ui.components.tab_title import TabTitle
from ui.components.watching import WatchingElement
from ui.keyboard import give_focus_back, remember_focus, trap_focus
from ui.theme import action_button
from ui.toasts import mark_watched
from ui.urls import with_dialog, workspace_url

OPEN_VIDEO_DELAY = 1.5  # seconds the success state shows before the workspace opens

_TITLES = {
    Phase.FAILED: "Generation failed",
    Phase.COMPLETED: "Your video is ready",
}
_RUNNING = frozenset({Phase.CONNECTING, Phase.LIVE, Phase.RECONNECTING, Phase.CONNECTION_FAILED})
_FAILED = frozenset({Phase.FAILED})


def open_progress(dashboard: Dashboard, job_id: str, *, page: str,
                  on_try_again: Callable[[], None]) -> None:
    """Open the job's dialog over ``page`` (a path, perhaps with a query) with the job in the
    URL (``page?job=<id>``, or ``page&job=<id>``).

    The URL is what brings the dialog back after a reload; closing the dialog takes it out.
    The dialog belongs to the page, not to what opened it: a job card on ``/jobs`` that opens
    it is replaced when the job ends, and would take the dialog with it.
    """
    ui.navigate.history.replace(with_dialog(page, job_id))
    remember_focus()
    with ui.context.client.content:
        ProgressDialog(dashboard, job_id, on_closed=lambda: ui.navigate.history.replace(page),
                       on_try_again=on_try_again).open()


class ProgressDialog(ui.dialog, WatchingElement):
    """A persistent full-screen overlay following one job until it ends or the user leaves."""

    def __init__(self, dashboard: Dashboard, job_id: str, *,
                 on_closed: Callable[[], None], on_try_again: Callable[[], None]) -> None:
        super().__init__()
        self.props("persistent maximized transition-show=fade transition-hide=fade")
        self._dashboard = dashboard
        self._api = dashboard.client
        self._user = user = page_user()
        mark_watched(job_id)
        self._may_cancel = user.admin  # else once the job's owner is known
        self._may_retry = False  # once the job is known: its owner's, on a backend that retries
        self._on_closed = on_closed
        self._on_try_again = on_try_again
        self._model = model = self._follow(dashboard.hub, job_id).model
        with self, ui.element("div").classes("aurora-overlay"), \
                ui.column().classes("aurora-progress-card gap-5") \
                .props("data-testid=progress-dialog") as card:
            title = ui.label().classes("aurora-dialog-title") \
                .bind_text_from(model, "phase",
                                backward=lambda phase: _TITLES.get(phase, "Generating Your Video"))
            self.props(f"aria-labelledby={title.html_id}")  # Quasar's role=dialog, named
            ui.label("Done. Opening your video…").classes("aurora-success") \
                .bind_visibility_from(model, "phase", value=Phase.COMPLETED)
            ProgressPanel(model, partial(dashboard.media.path_for, job_id=job_id))
            TabTitle(model)
            with ui.row().classes("w-full justify-end gap-3"):
                self._action("Run in background", "background-button", self._run_in_background,
                             {Phase.LIVE}, subtle=True)
                self._action("Retry", "retry-button", lambda: dashboard.hub.retry(job_id),
                             {Phase.CONNECTION_FAILED})
                cancel = self._action("Cancel", "cancel-button", self._cancel, _RUNNING,
                                      only_if=lambda: self._may_cancel)
                self._action("Close", "close-button", self._close, _FAILED, subtle=True)
                self._action("Try Again", "try-again-button", self._try_again, _FAILED,
                             subtle=True)
                retry = self._action("Retry", "retry-job-button", self._retry_job, _FAILED,
                                     only_if=lambda: self._may_retry)
                self._action("Open video", "open-video-button", self._open_video,
                             {Phase.COMPLETED})
        self._cancel_button, self._retry_button = cancel, retry
        trap_focus(card)
        self._follow_phase(model)
        with self:
            ui.timer(0, lambda: self._learn_job(job_id), once=True)

    def _action(self, text: str, test_id: str, handler: Callable[[], object],
                phases: AbstractSet[Phase], *, subtle: bool = False,
                only_if: Callable[[], bool] = lambda: True) -> ui.button:
        """A button at the bottom, shown only in ``phases`` (and while ``only_if`` holds)."""
        return action_button(text, handler, test_id=test_id, subtle=subtle) \
            .bind_visibility_from(self._model, "phase",
                                  backward=lambda p: p in phases and only_if())

    async def _learn_job(self, job_id: str) -> None:
        """Offer Cancel once the job turns out to be the user's own, and Retry if the backend
        can retry it too (the backend decides again); a job that cannot be read offers
        neither."""
        try:
            job = await self._api.get_job(job_id)
        except AuroraError:
            return
        self._may_cancel = self._user.may_act_on(job.owner)
        self._may_retry = self._may_cancel and self._dashboard.extensions.may_retry(job)
        self._show_owners_actions()

    def _show_owners_actions(self) -> None:
        """Cancel and Retry as the phase and what is known of the job allow."""
        if not self.is_deleted:
            self._cancel_button.set_visibility(self._model.phase in _RUNNING and self._may_cancel)
            self._retry_button.set_visibility(self._model.phase in _FAILED and self._may_retry)

    def _entered(self, phase: Phase) -> None:
        """Open the workspace shortly after success, so the user sees the success state."""
        if phase == Phase.COMPLETED:
            with self:
                ui.timer(OPEN_VIDEO_DELAY, self._open_video, once=True)

    def _open_video(self) -> None:
        """Go to the finished job's workspace; the dialog goes with this page.

        The page is first put back as it was without the dialog, so that Back from the
        workspace lands there rather than on the dialog, which would open the workspace again.
        """
        self._on_closed()
        ui.navigate.to(workspace_url(self._model.job_id))

    async def _cancel(self) -> None:
        """Cancel the job where the backend can (every tab watching it sees it end), then close.

        Where it cannot, closing is all the user asked for: nothing more is said.
        """
        await cancel_job(self._api, self._model.job_id, user=self._user)
        self._close()

    async def _retry_job(self) -> None:
        """Take the failed job up again where it stopped; this dialog follows the attempt."""
        if not await retry_job(self._dashboard, self._model.job_id, user=self._user):
            self._may_retry = self._dashboard.extensions.retry  # a 405 takes Retry away
            self._show_owners_actions()

    def _run_in_background(self) -> None:
        """Close, leaving the job running; it stays on ``/jobs``."""
        ui.notify("Your video keeps generating in the background.", type="info")
        self._close()

    def _try_again(self) -> None:
        """Close the failed job's dialog and hand back to the page (its form, prompt kept)."""
        self._close()
        self._on_try_again()

    def _close(self) -> None:
        """Let go of the job, close, and delete the dialog (its timers and bindings with it)."""
        self._release()
        if self.is_deleted:
            return
        self.close()
        self._on_closed()
        give_focus_back()
        self.delete()
