"""``/``: the Create page; its progress dialog follows the job named in the URL (``/?job=<id>``).

Keeping the job in the URL is what lets a reload bring the dialog back on the same job.
``/?from_job=<id>`` fills the form from an earlier job (*Generate again* on the workspace).
"""

from __future__ import annotations

from nicegui import ui

from services.client import AuroraError, InvalidJobId, JobNotFound
from services.contract import is_valid_job_id
from services.dashboard.shared import Dashboard
from ui.access import page_user
from ui.components.backend_notice import backend_notice
from ui.components.create_form import CreateForm
from ui.components.progress_dialog import open_progress
from ui.connection import tab_opened
from ui.theme import frame
from ui.toasts import toast_job_endings
from ui.urls import CREATE


def _unreachable(error: str) -> str:
    """Why Generate cannot work now; the form stays usable meanwhile."""
    return f"{error.rstrip('.')}. You can write your prompt; Generate works once it is back."


def register(dashboard: Dashboard) -> None:
    """Add the Create page."""

    @ui.page("/")
    async def create_page(job: str | None = None, from_job: str | None = None) -> None:
        with frame("Create"):
            ui.label("Create").classes("aurora-title")
            ui.label("Describe a video; watch it being made.").classes("aurora-muted -mt-3")
            backend_notice(dashboard.directory, test_id="backend-status", saying=_unreachable)
            form = CreateForm(dashboard.client, dashboard.job_defaults,
                              on_started=lambda job_id: show_progress(dashboard, form, job_id))
        if not await tab_opened():
            return
        toast_job_endings(dashboard.directory, page_user())
        form.outlook.follow(dashboard.directory)
        earlier = job if job is not None else from_job
        if earlier is None:
            return
        if not is_valid_job_id(earlier):  # said, and never sent to the backend
            ui.notify(str(InvalidJobId(earlier)), type="warning")
            ui.navigate.history.replace(CREATE)
            return
        try:
            form.fill(await dashboard.client.get_job(earlier))
        except JobNotFound as error:
            ui.notify(str(error), type="warning")
            ui.navigate.history.replace(CREATE)
            return
        except AuroraError:
            pass  # the dialog says what is wrong with the backend, and retries
        if job == earlier:
            show_progress(dashboard, form, earlier)


def show_progress(dashboard: Dashboard, form: CreateForm, job_id: str) -> None:
    """Open the job's progress dialog; *Try Again* comes back to the form, prompt kept."""
    if not is_valid_job_id(job_id):
        ui.notify("The backend answered with an unusable job id.", type="negative")
        return
    open_progress(dashboard, job_id, page=CREATE, on_try_again=form.focus_prompt)
