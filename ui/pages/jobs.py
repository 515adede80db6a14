"""``/jobs``: every job, newest first, running ones live; ``/jobs?job=<id>`` reopens a dialog.

Nothing here asks the backend itself: the list comes from the directory's one poller, live
progress from the hub's one stream per running job, however many tabs show the page.
"""

from __future__ import annotations

from nicegui import ui

from services.contract import is_valid_job_id
from services.dashboard import Dashboard
from ui.components.job_board import JobBoard
from ui.components.progress_dialog import open_progress
from ui.connection import tab_opened
from ui.theme import frame


def register(dashboard: Dashboard) -> None:
    """Add the jobs page."""

    @ui.page("/jobs")
    async def jobs_page(job: str | None = None) -> None:
        with frame("Jobs"):
            ui.label("Jobs").classes("aurora-title")
            ui.label("Every video, newest first; running ones live.") \
                .classes("aurora-muted -mt-3")
            board = JobBoard(dashboard, on_watch=lambda job_id: show_progress(dashboard, job_id))
        if not await tab_opened(dashboard.directory):
            return
        board.follow()
        if job is not None and is_valid_job_id(job):
            show_progress(dashboard, job)


def show_progress(dashboard: Dashboard, job_id: str) -> None:
    """Open a job's progress dialog over the list; *Try Again* goes to the form, prompt kept."""
    open_progress(dashboard, job_id, page="/jobs",
                  on_try_again=lambda: ui.navigate.to(f"/?from_job={job_id}"))
