"""``/jobs``: every job, newest first, running ones live; ``/jobs?job=<id>`` reopens a dialog.

Nothing here asks the backend itself: the list comes from the directory's one poller, live
progress from the hub's one stream per running job, however many tabs show the page.

The status filter lives in the URL (``/jobs?status=completed``), so a reload, Back and Forward
and a shared link show the list as it was left. Picking a filter replaces the URL rather than
pushing one: a filter is a view of this page, not a place, so Back leaves ``/jobs`` for the
page before it instead of stepping through every filter clicked (and the history entry of
``/jobs`` always holds the filter last shown, for Back from a workspace).
"""

from __future__ import annotations

from nicegui import ui

from services.contract import is_valid_job_id
from services.dashboard.shared import Dashboard
from ui.access import page_user
from ui.components.job_board import ALL, JobBoard, known_filter
from ui.components.progress_dialog import open_progress
from ui.connection import tab_opened
from ui.theme import frame
from ui.toasts import toast_job_endings
from ui.urls import generate_again_url, jobs_url


def register(dashboard: Dashboard) -> None:
    """Add the jobs page."""

    @ui.page("/jobs")
    async def jobs_page(job: str | None = None, status: str | None = None) -> None:
        shown = known_filter(status)
        with frame("Jobs"):
            ui.label("Jobs").classes("aurora-title")
            ui.label("Every video, newest first; running ones live.") \
                .classes("aurora-muted -mt-3")
            board = JobBoard(dashboard, user=page_user(), shown=shown,
                             on_watch=lambda job_id: show_progress(dashboard, job_id,
                                                                   filter_url(board.shown)),
                             on_filter=lambda key: ui.navigate.history.replace(filter_url(key)))
        if not await tab_opened():
            return
        toast_job_endings(dashboard.directory, page_user())
        if status is not None and status != shown:
            ui.navigate.history.replace(filter_url(shown))  # the URL says what the page shows
        board.follow()
        if job is not None and is_valid_job_id(job):
            show_progress(dashboard, job, filter_url(shown))


def filter_url(key: str) -> str:
    """The address of ``/jobs`` showing the filter ``key``: plain ``/jobs`` for All."""
    return jobs_url(None if key == ALL else key)


def show_progress(dashboard: Dashboard, job_id: str, page: str) -> None:
    """Open a job's progress dialog over the list at ``page`` (its filter kept in the URL);
    *Try Again* goes to the form, prompt kept."""
    open_progress(dashboard, job_id, page=page,
                  on_try_again=lambda: ui.navigate.to(generate_again_url(job_id)))
