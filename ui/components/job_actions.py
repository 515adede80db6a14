"""What the dialog, the job cards and the workspace do to a job: cancel it, retry it."""

from __future__ import annotations

from nicegui import ui

from services.client import (
    AuroraClient,
    AuroraError,
    CancelNotSupported,
    JobAlreadyEnded,
    JobNotRetryable,
    RetryNotSupported,
)
from services.dashboard.shared import Dashboard
from ui.access import User


async def cancel_job(client: AuroraClient, job_id: str, *, user: User) -> bool:
    """Ask the backend to stop the job, as ``user``; False if it has no cancel extension, else
    True.

    Every tab watching the job then sees it end. A job that has just ended leaves nothing to
    stop, which is no error; any other failure is said in a toast.
    """
    try:
        await client.cancel(job_id, user=user.name)
    except CancelNotSupported:
        return False
    except JobAlreadyEnded:
        pass
    except AuroraError as error:
        ui.notify(f"Could not cancel the job: {error}", type="warning")
    return True


async def retry_job(dashboard: Dashboard, job_id: str, *, user: User) -> bool:
    """Ask the backend to take the failed job up again where it stopped, as ``user``; True
    once it runs again (retried here, or already in another tab), and every view of it then
    follows its next attempt. Why it cannot is said in a toast."""
    try:
        await dashboard.client.retry(job_id, user=user.name)
    except RetryNotSupported:
        dashboard.extensions.retry = False  # no Retry from now on, in any tab
        ui.notify("This backend cannot retry jobs; Generate again starts it anew.",
                  type="warning")
        return False
    except JobNotRetryable:
        pass  # retried already, in another tab: follow it all the same
    except AuroraError as error:
        ui.notify(f"Could not retry the job: {error}", type="warning")
        return False
    dashboard.hub.job_retried(job_id)
    return True
