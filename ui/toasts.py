"""The toast every open tab gets when a job ends, whichever tab or client of the backend ran it.

Endings that come together (a batch of jobs finishing between two looks at the job list) are
said in one toast, not a stack of them that would cover the page.

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
TOGETHER_SECONDS = 0.3  # endings this close are said together
MOST_TOASTS_AT_ONCE = 3  # more endings than this at once get one toast for all


def toast_job_endings(directory: JobDirectory) -> None:
    """Until this tab's client is deleted, toast every job that ends (each one once)."""
    client = ui.context.client
    waiting: list[JobEnded] = []

    def toast_waiting() -> None:
        endings = waiting.copy()
        waiting.clear()
        if len(endings) > MOST_TOASTS_AT_ONCE:
            show_endings(endings)
            return
        for ending in endings:
            show_ending(ending, prompt=ending.prompt or _listed_prompt(directory, ending.job_id))

    def toast(ending: JobEnded) -> None:
        if not waiting:
            with client:
                ui.timer(TOGETHER_SECONDS, toast_waiting, once=True)
        waiting.append(ending)

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


def show_endings(endings: list[JobEnded]) -> None:
    """One toast for many endings: how many ended and how, with a link to ``/jobs``."""
    ready = sum(ending.completed for ending in endings)
    cancelled = sum(ending.error == CANCELLED_ERROR for ending in endings)
    failed = len(endings) - ready - cancelled
    counts = [f"{count} {how}" for count, how in
              ((ready, "ready"), (failed, "failed"), (cancelled, "cancelled")) if count]
    look = "negative" if failed else "positive" if ready == len(endings) else "grey"
    action = {"label": "Open jobs", "href": "/jobs", "color": "primary", "noCaps": True,
              "data-testid": "toast-link"}
    ui.notify(f"{len(endings)} jobs ended: {', '.join(counts)}", position="bottom-right",
              timeout=TOAST_MS, group=False, color="dark", icon="video_library", iconColor=look,
              classes=f"aurora-toast {look}", actions=[action],
              attrs={"data-testid": "jobs-toast"})


def failure_text(reason: str | None) -> str:
    """The failed toast's text: the backend's reason after "Generation failed", said once."""
    if not reason:
        return "Generation failed"
    return reason if reason.startswith("Generation failed") else f"Generation failed: {reason}"


def _listed_prompt(directory: JobDirectory, job_id: str) -> str:
    """The job's prompt from the latest list (an end the hub saw comes without one)."""
    jobs = directory.latest.jobs if directory.latest is not None else []
    return next((job.prompt for job in jobs if job.job_id == job_id), "")
