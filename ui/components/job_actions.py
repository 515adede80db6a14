"""What the dialog, the job cards and the workspace do to a job: cancel, retry or delete it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from nicegui import Client, ui

from services.client import (
    AuroraClient,
    AuroraError,
    CancelNotSupported,
    DeleteNotSupported,
    JobAlreadyEnded,
    JobNotEnded,
    JobNotFound,
    JobNotRetryable,
    RetryNotSupported,
)
from services.contract import JobSummary
from services.dashboard.shared import Dashboard
from ui.access import User


async def cancel_job(client: AuroraClient, job_id: str, *, user: User) -> bool:
    """Ask the backend to stop the job, as ``user``; False if it has no cancel extension, else
    True.

    Every tab watching the job then sees it end. A job that has just ended leaves nothing to
    stop, which is no error; any other failure is said in a toast.
    """
    tab = ui.context.client  # the element that asked may be gone once the job has ended
    try:
        await client.cancel(job_id, user=user.name)
    except CancelNotSupported:
        return False
    except JobAlreadyEnded:
        pass
    except AuroraError as error:
        _tell(tab, f"Could not cancel the job: {error}")
    return True


async def retry_job(dashboard: Dashboard, job_id: str, *, user: User) -> bool:
    """Ask the backend to take the failed job up again where it stopped, as ``user``; True
    once it runs again (retried here, or already in another tab), and every view of it then
    follows its next attempt. Why it cannot is said in a toast."""
    tab = ui.context.client
    try:
        await dashboard.client.retry(job_id, user=user.name)
    except RetryNotSupported:
        dashboard.extensions.retry = False  # no Retry from now on, in any tab
        _tell(tab, "This backend cannot retry jobs; Generate again starts it anew.")
        return False
    except JobNotRetryable:
        pass  # retried already, in another tab: follow it all the same
    except AuroraError as error:
        _tell(tab, f"Could not retry the job: {error}")
        return False
    dashboard.hub.job_retried(job_id)
    return True


def confirm_delete(job: JobSummary, on_confirmed: Callable[[], Awaitable[None]]) -> None:
    """Ask before a job is deleted, naming its prompt; ``on_confirmed`` if the user agrees.

    The question belongs to the page, not to what asked it (a card the deletion removes)."""
    with ui.context.client.content, ui.dialog() as dialog, \
            ui.card().classes("aurora-confirm gap-4") \
            .props("data-testid=delete-confirmation"):
        ui.label("Delete this video?").classes("text-lg font-semibold")
        ui.label(f"“{job.prompt or 'Untitled'}” and every file it made will be gone for good.") \
            .classes("aurora-muted break-words").props("data-testid=delete-prompt")

        async def confirmed() -> None:
            dialog.close()
            await on_confirmed()

        with ui.row().classes("w-full justify-end gap-3"):
            ui.button("Keep it", on_click=dialog.close, color=None).props("flat no-caps") \
                .props("data-testid=keep-button")
            ui.button("Delete", on_click=confirmed, color="negative").props("no-caps unelevated") \
                .props("data-testid=confirm-delete-button")
    dialog.on("hide", dialog.delete)
    dialog.open()


async def delete_job(dashboard: Dashboard, job_id: str, *, user: User) -> bool:
    """Ask the backend to delete the ended job, as ``user``; True once it is gone (deleted
    here, or already gone), and gone from every tab's list. Why it cannot be is said in a
    toast."""
    tab = ui.context.client
    try:
        await dashboard.client.delete_job(job_id, user=user.name)
    except JobNotFound:
        pass  # deleted already, in another tab
    except DeleteNotSupported:
        dashboard.extensions.delete = False  # no Delete from now on, in any tab
        _tell(tab, "This backend cannot delete jobs.")
        return False
    except JobNotEnded:
        _tell(tab, "The job is still running: cancel it first.")
        return False
    except AuroraError as error:
        _tell(tab, f"Could not delete the job: {error}")
        return False
    _tell(tab, "Video deleted.", kind="info")
    dashboard.directory.forget(job_id)  # every tab's list drops it now (its card with it)
    return True


def _tell(tab: Client, text: str, *, kind: Literal["warning", "info"] = "warning") -> None:
    """A toast in ``tab``, whatever became of the element that asked meanwhile."""
    if not tab.is_deleted:
        with tab:
            ui.notify(text, type=kind)
