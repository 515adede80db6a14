"""``/jobs``: every job, newest first, running ones live; ``/jobs?job=<id>`` reopens a dialog.

The list comes from the directory's one follower (a search asks the backend, ``job_board.py``),
live progress from the hub's one stream per running job, however many tabs show the page.

The status filter and the search live in the URL (``/jobs?status=completed&q=fox``), so a
reload, Back and Forward and a shared link show the list as it was left. Picking a filter or
searching replaces the URL rather than pushing one: a filter is a view of this page, not a
place, so Back leaves ``/jobs`` for the page before it instead of stepping through every
filter clicked (and the history entry of ``/jobs`` always holds the view last shown, for Back
from a workspace).
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
    async def jobs_page(job: str | None = None, status: str | None = None,
                        q: str | None = None) -> None:
        shown, query = known_filter(status), (q or "").strip()
        with frame("Jobs"):
            ui.label("Jobs").classes("aurora-title")
            ui.label("Every video, newest first; running ones live.") \
                .classes("aurora-muted -mt-3")
            board = JobBoard(dashboard, user=page_user(), shown=shown, query=query,
                             on_watch=lambda job_id: show_progress(
                                 dashboard, job_id, view_url(board.shown, board.query)),
                             on_view=lambda key, text: ui.navigate.history.replace(
                                 view_url(key, text)))
        if not await tab_opened():
            return
        toast_job_endings(dashboard.directory, page_user())
        if (status is not None and status != shown) or (q is not None and q != query):
            ui.navigate.history.replace(view_url(shown, query))  # what the page shows
        board.follow()
        if job is not None and is_valid_job_id(job):
            show_progress(dashboard, job, view_url(shown, query))


def view_url(key: str, query: str = "") -> str:
    """The address of ``/jobs`` showing the filter ``key`` and the search ``query``: plain
    ``/jobs`` for All and no search."""
    return jobs_url(None if key == ALL else key, query or None)


def show_progress(dashboard: Dashboard, job_id: str, page: str) -> None:
    """Open a job's progress dialog over the list at ``page`` (its filter kept in the URL);
    *Try Again* goes to the form, prompt kept."""
    open_progress(dashboard, job_id, page=page,
                  on_try_again=lambda: ui.navigate.to(generate_again_url(job_id)))
