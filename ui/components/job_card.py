"""``JobCard``: one job on ``/jobs``: what it makes, its status, and while it runs its progress.

A card is made for a job either running or ended, and stays that way. A running card watches
its job through the hub (one shared upstream stream, whoever else watches) and lets go the
moment it learns that the job ended, from the stream or from a newer listing; it then asks to
be replaced by a finished card, which holds nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.client import AuroraError, JobAlreadyEnded, QueueNotSupported
from services.contract import JobStatus, JobSummary, furthest_status, has_ended
from services.dashboard.shared import Dashboard
from ui.access import User
from ui.components.job_actions import cancel_job, confirm_delete, delete_job, retry_job
from ui.components.progress_panel import ProgressSummary
from ui.components.watching import WatchingElement
from ui.format import NO_PROMPT, format_duration, format_started, format_status
from ui.theme import action_button
from ui.urls import workspace_url


def describe(job: JobSummary) -> str:
    """The settings line under the prompt: "30 s · 16:9 · cinematic · today 14:03 · ana"
    (who started it, where people sign in)."""
    parts = [format_duration(job.duration), job.aspect_ratio, job.style,
             format_started(job.created_at, now=time.time()), job.owner or ""]
    return " · ".join(part for part in parts if part)


class JobCard(WatchingElement):
    """One job: prompt, settings and status; a live summary and *Watch* / *Cancel* while it runs.

    Parameters:
        job: the job as last listed.
        dashboard: the shared services (a running card watches through the hub).
        user: who the page is for; Cancel is offered only on their own jobs (or to an admin).
        on_watch: opens the job's progress dialog (called with the job id).
        on_ended: a running card that saw its job end passes itself here, to be replaced.
    """

    status = BindableProperty(on_change=lambda card, status: card._status_changed(status))

    def __init__(self, job: JobSummary, dashboard: Dashboard, *, user: User,
                 on_watch: Callable[[str], None], on_ended: Callable[[JobCard], None]) -> None:
        super().__init__("div")
        self.job = job
        self.running = not has_ended(job.status)
        self._on_ended = on_ended
        self._user = user
        self.classes("aurora-panel aurora-job-card w-full")
        self.props.update({"data-testid": "job-card", "data-job-id": job.job_id,
                           "data-status": job.status})
        self.status = job.status
        if self.running:
            self._model = self._follow(dashboard.hub, job.job_id).model
        with self:
            with ui.row().classes("w-full items-center no-wrap gap-4"):
                thumbnail = dashboard.media.path_for(job.thumbnail_url, job_id=job.job_id) \
                    if job.thumbnail_url and not self.running else None
                self.pictured = bool(thumbnail)
                if thumbnail:  # the first scene, through the dashboard's media relay
                    ui.element("img").classes("aurora-job-thumb").props.update(
                        {"src": thumbnail, "alt": "", "loading": "lazy",
                         "data-testid": "job-thumbnail"})
                with ui.column().classes("flex-1 min-w-0 gap-1"):
                    ui.label(job.prompt or NO_PROMPT).classes("aurora-job-prompt") \
                        .props("data-testid=job-card-prompt")
                    with ui.row().classes("items-center gap-3"):
                        ui.label().classes("aurora-status").props("data-testid=job-card-status") \
                            .bind_text_from(self, "status",
                                            backward=format_status)
                        ui.label(describe(job)).classes("aurora-muted text-sm")
                self._actions(job.job_id, dashboard, on_watch)
            if self.running:
                ProgressSummary(self._model).classes("gap-2", remove="gap-5")
                binding.bind_from(self, "status", self._model, "status",
                                  backward=lambda status: furthest_status(self.status, status))
            elif job.status == JobStatus.FAILED:
                ui.label(job.error or "Generation failed") \
                    .classes("aurora-error aurora-card-error w-full") \
                    .props("data-testid=error-message")

    def outdated_by(self, job: JobSummary) -> bool:
        """Whether a listing of the job needs a card built anew: the job ended or runs again,
        or it ended with a picture this finished card lacks (one built from the stream's end,
        which came before the listing that names the picture)."""
        if self.running == has_ended(job.status):
            return True
        return not self.running and not self.pictured and bool(job.thumbnail_url)

    def advance(self, job: JobSummary) -> None:
        """Take a newer listing of the job (say, queued to running); an end replaces the card."""
        self.job = job.model_copy(update={"status": furthest_status(self.status, job.status)})
        self.status = self.job.status

    def summary(self) -> JobSummary:
        """The job as this card knows it now (an end seen on the stream, with its reason)."""
        error = self._model.error if self.running else ""
        return self.job.model_copy(update={"status": self.status,
                                           "error": error or self.job.error})

    def _actions(self, job_id: str, dashboard: Dashboard,
                 on_watch: Callable[[str], None]) -> None:
        """*Watch*, *Cancel* and *Run next* for a running job; for an ended one *Delete*, the
        way to its workspace, and *Retry* if it failed (the owner's actions for the owner or an
        admin only, and only where the backend has them)."""
        with ui.row().classes("flex-none no-wrap gap-2"):
            if self.running:
                if self._user.may_act_on(self.job.owner):  # the backend decides again
                    action_button("Run next", lambda: self._run_next(dashboard),
                                  test_id="run-next-button", subtle=True, icon="north") \
                        .bind_visibility_from(self._model, "queue_position",  # waiting in line
                                              backward=lambda place: place is not None)
                    action_button("Cancel", lambda: self._cancel(dashboard),
                                  test_id="cancel-job-button", subtle=True, icon="close")
                action_button("Watch", lambda: on_watch(job_id), test_id="watch-button",
                              icon="visibility")
                return
            if self._user.may_act_on(self.job.owner):
                action_button("Delete", lambda: confirm_delete(
                    self.job, lambda: self._delete(dashboard)), test_id="delete-button",
                    subtle=True, icon="delete_outline") \
                    .bind_visibility_from(dashboard.extensions, "delete")
            if self.status == JobStatus.COMPLETED:
                action_button("Open video", lambda: ui.navigate.to(workspace_url(job_id)),
                              test_id="open-workspace-button", icon="play_arrow")
                return
            if self._user.may_act_on(self.job.owner) and dashboard.extensions.may_retry(self.job):
                action_button("Retry", lambda: self._retry(dashboard, on_watch),
                              test_id="retry-job-button", icon="replay") \
                    .bind_visibility_from(dashboard.extensions, "retry")
            action_button("Details", lambda: ui.navigate.to(workspace_url(job_id)),
                          test_id="open-workspace-button", subtle=True)

    async def _cancel(self, dashboard: Dashboard) -> None:
        """Cancel the job; the card changes when the job ends, like every other view of it."""
        if not await cancel_job(dashboard.client, self.job.job_id, user=self._user):
            ui.notify("This backend cannot cancel jobs; the video keeps generating.",
                      type="warning")

    async def _delete(self, dashboard: Dashboard) -> None:
        """Delete the ended job; its card goes from every tab's list (``delete_job``)."""
        await delete_job(dashboard, self.job.job_id, user=self._user)

    async def _retry(self, dashboard: Dashboard, on_watch: Callable[[str], None]) -> None:
        """Retry the failed job where it stopped, and watch it: its dialog shows the scenes it
        kept as done at once."""
        if await retry_job(dashboard, self.job.job_id, user=self._user):
            on_watch(self.job.job_id)

    async def _run_next(self, dashboard: Dashboard) -> None:
        """Move the queued job ahead of its owner's other queued jobs; every view of the line
        hears its new place from the backend."""
        try:
            await dashboard.client.run_next(self.job.job_id, user=self._user.name)
        except QueueNotSupported:
            ui.notify("This backend cannot reorder its queue.", type="warning")
        except JobAlreadyEnded:
            pass  # it started meanwhile: nothing to move
        except AuroraError as error:
            ui.notify(f"Could not move the job: {error}", type="warning")

    def _status_changed(self, status: str) -> None:
        """Follow the status in ``data-status``; on an end, let go and ask to be replaced.

        The replacement waits for the next turn of the event loop: this runs while the model
        is telling its bound elements of the change, and must not unbind any of them.
        """
        self.props["data-status"] = status
        if self.running and has_ended(status):
            self._release()
            asyncio.get_running_loop().call_soon(self._on_ended, self)
