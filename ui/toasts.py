"""The toast every open tab gets when a job ends, whichever tab or client of the backend ran it.

Everything the backend wrote (the prompt, the error) goes into the toast as text: Quasar's
notifications render their message and caption as text unless told otherwise, and they are
never told otherwise here.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from services.contract import CANCELLED_ERROR, is_valid_job_id
from services.hub import JobEnded
from services.job_directory import JobDirectory
from ui.components.job_actions import workspace_url

TOAST_MS = 8000


def toast_job_endings(directory: JobDirectory) -> None:
    """Until this tab's client is deleted, toast every job that ends (each one once)."""
    client = ui.context.client

    def toast(ending: JobEnded) -> None:
        with client:
            show_ending(ending, prompt=ending.prompt or _listed_prompt(directory, ending.job_id))

    client.on_delete(directory.on_job_ended(toast))


def show_ending(ending: JobEnded, *, prompt: str) -> None:
    """"Video ready", "Generation cancelled" or "Generation failed: <why>", with a link to
    the job's workspace. A cancel is what someone asked for, so it is not shown as a failure."""
    if ending.completed:
        message, link, icon, look = "Video ready", "Open video", "check_circle", "positive"
    elif ending.error == CANCELLED_ERROR:
        message, link, icon, look = "Generation cancelled", "Details", "cancel", "grey"
    else:
        message, link, icon, look = failure_text(ending.error), "Details", "error", "negative"
    action = {"label": link, "href": workspace_url(ending.job_id), "color": "primary",
              "noCaps": True, "data-testid": "toast-link"}
    options: dict[str, Any] = {
        "color": "dark", "icon": icon, "iconColor": look, "classes": f"aurora-toast {look}",
        "actions": [action] if is_valid_job_id(ending.job_id) else [],
        "attrs": {"data-testid": "job-toast", "data-job-id": ending.job_id},
    }
    if prompt:
        options["caption"] = prompt
    ui.notify(message, position="bottom-right", timeout=TOAST_MS, group=False, multi_line=True,
              **options)


def failure_text(reason: str | None) -> str:
    """The failed toast's text: the backend's reason after "Generation failed", said once."""
    if not reason:
        return "Generation failed"
    return reason if reason.startswith("Generation failed") else f"Generation failed: {reason}"


def _listed_prompt(directory: JobDirectory, job_id: str) -> str:
    """The job's prompt from the latest list (an end the hub saw comes without one)."""
    jobs = directory.latest.jobs if directory.latest is not None else []
    return next((job.prompt for job in jobs if job.job_id == job_id), "")
