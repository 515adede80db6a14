"""``/``: the Create page; its progress dialog follows the job named in the URL (``/?job=<id>``).

Keeping the job in the URL is what lets a reload bring the dialog back on the same job.
``/?from_job=<id>`` fills the form from an earlier job (*Generate again* on the workspace).
"""

from __future__ import annotations

from nicegui import ui

from services.client import AuroraClient, AuroraError, JobNotFound
from services.contract import is_valid_job_id
from services.progress_tracker import ProgressTracker
from ui.components.create_form import CreateForm
from ui.components.progress_dialog import ProgressDialog
from ui.connection import browser_connected
from ui.theme import frame


def register(client: AuroraClient) -> None:
    """Add the Create page."""

    @ui.page("/")
    async def create_page(job: str | None = None, from_job: str | None = None) -> None:
        with frame("Create"):
            ui.label("Create").classes("aurora-title")
            ui.label("Describe a video; watch it being made.").classes("aurora-muted -mt-3")
            form = CreateForm(client, on_started=lambda job_id: show_progress(client, form, job_id))
        earlier = job if is_valid_job_id(job) else from_job
        if earlier is None or not is_valid_job_id(earlier):
            return
        if not await browser_connected():
            return
        try:
            form.fill(await client.get_job(earlier))
        except JobNotFound as error:
            ui.notify(str(error), type="warning")
            ui.navigate.history.replace("/")
            return
        except AuroraError:
            pass  # the dialog says what is wrong with the backend, and retries
        if job == earlier:
            show_progress(client, form, earlier)


def show_progress(client: AuroraClient, form: CreateForm, job_id: str) -> None:
    """Put the job into the URL (a reload comes back to it) and open its progress dialog."""
    if not is_valid_job_id(job_id):
        ui.notify("The backend answered with an unusable job id.", type="negative")
        return
    ui.navigate.history.replace(f"/?job={job_id}")
    ProgressDialog(client, ProgressTracker(client, job_id),
                   on_closed=lambda: ui.navigate.history.replace("/"),
                   on_try_again=form.focus_prompt).show()
