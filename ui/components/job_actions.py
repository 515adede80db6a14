"""What the dialog and the job cards both do to a job: cancel it."""

from __future__ import annotations

from nicegui import ui

from services.client import AuroraClient, AuroraError, CancelNotSupported, JobAlreadyEnded
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
