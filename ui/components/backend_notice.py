"""A notice that says, while the job list's follower cannot reach the backend, why; and goes away
once it reaches it again."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from services.dashboard.directory import JobDirectory


def backend_notice(directory: JobDirectory, *, test_id: str, saying: Callable[[str], str]
                   ) -> ui.label:
    """The directory's error, put in the page's words by ``saying``, shown only while there
    is one."""
    return ui.label().classes("aurora-notice").props(f"data-testid={test_id} role=status") \
        .bind_text_from(directory, "error", backward=saying) \
        .bind_visibility_from(directory, "error", backward=bool)
