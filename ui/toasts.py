"""The toast an open tab gets when a job of its user's ends, or one it watched, whichever tab or
client of the backend ran it. Where nobody signs in, every job is everyone's. (A hidden tab's
desktop notification, for the jobs its browser started, comes with it: ``notifications.py``.)

Endings that come together (a batch of jobs finishing between two looks at the job list) are
said in one toast, not a stack of them that would cover the page.

Everything the backend wrote (the prompt, the error) goes into the toast as text: Quasar's
notifications render their message and caption as text unless told otherwise, and they are
never told otherwise here.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from services.contract import is_valid_job_id
from services.dashboard.directory import JobDirectory
from services.dashboard.endings import JobEnded
from ui.access import User
from ui.notifications import notify
from ui.urls import JOBS, workspace_url

TOAST_MS = 8000
TOGETHER_SECONDS = 0.3  # endings this close are said together
MOST_TOASTS_AT_ONCE = 3  # more endings than this at once get one toast for all


WATCHED_KEY = "aurora_watched_jobs"  # in the tab's client storage: the jobs it watched


def mark_watched(job_id: str) -> None:
    """This tab followed the job (its progress dialog): its end gets a toast here, whoever
    started it."""
    watched = ui.context.client.storage.setdefault(WATCHED_KEY, [])
    if job_id not in watched:
        watched.append(job_id)


def toast_job_endings(directory: JobDirectory, user: User) -> None:
    """Until this tab's client is deleted, toast every job of ``user``'s, or watched here,
    that ends (each one once).

    The subscription also keeps the directory polling for as long as the tab lives: the list
    is how the dashboard learns of jobs that end where no tab watches them.
    """
    client = ui.context.client
    waiting: list[JobEnded] = []

    async def toast_waiting() -> None:
        endings = waiting.copy()
        waiting.clear()
        prompts = [ending.prompt or await directory.prompt_of(ending.job_id)
                   for ending in endings]
        for ending, prompt in zip(endings, prompts, strict=True):
            notify(ending, prompt=prompt)  # on the desktop, if the page finds it should
        if len(endings) > MOST_TOASTS_AT_ONCE:
            show_endings(endings)
            return
        for ending, prompt in zip(endings, prompts, strict=True):
            show_ending(ending, prompt=prompt)

    def toast(ending: JobEnded) -> None:
        mine = user.owns(_listed_owner(directory, ending.job_id))
        if not mine and ending.job_id not in client.storage.get(WATCHED_KEY, []):
            return
        if not waiting:
            with client:
                ui.timer(TOGETHER_SECONDS, toast_waiting, once=True)
        waiting.append(ending)

    client.on_delete(directory.on_job_ended(toast))


def show_ending(ending: JobEnded, *, prompt: str) -> None:
    """"Video ready", "Generation cancelled" or "Generation failed: <why>", with a link to
    the job's workspace. A cancel is what someone asked for, so it is not shown as a failure."""
    outcome = _outcome(ending)
    message, link, icon = {
        "ready": ("Video ready", "Open video", "check_circle"),
        "cancelled": ("Generation cancelled", "Details", "cancel"),
        "failed": (failure_text(ending.error), "Details", "error"),
    }[outcome]
    _toast(message, icon=icon, look=_LOOKS[outcome], multi_line=True,
           link=(link, workspace_url(ending.job_id)) if is_valid_job_id(ending.job_id) else None,
           attrs={"data-testid": "job-toast", "data-job-id": ending.job_id}, caption=prompt)


def show_endings(endings: list[JobEnded]) -> None:
    """One toast for many endings: how many ended and how, with a link to ``/jobs``."""
    outcomes = [_outcome(ending) for ending in endings]
    counts = [f"{outcomes.count(outcome)} {outcome}" for outcome in _LOOKS
              if outcome in outcomes]
    look = next(_LOOKS[outcome] for outcome in ("failed", "cancelled", "ready")
                if outcome in outcomes)
    _toast(f"{len(endings)} jobs ended: {', '.join(counts)}", icon="video_library", look=look,
           link=("Open jobs", JOBS), attrs={"data-testid": "jobs-toast"})


_LOOKS = {"ready": "positive", "failed": "negative", "cancelled": "grey"}  # in counting order


def _outcome(ending: JobEnded) -> str:
    """How a job ended, as its toast says it: "ready", "failed" or "cancelled"."""
    if ending.completed:
        return "ready"
    return "cancelled" if ending.cancelled else "failed"


def _toast(message: str, *, icon: str, look: str, link: tuple[str, str] | None,
           attrs: dict[str, str], caption: str = "", multi_line: bool = False) -> None:
    """A toast in the Aurora look (``look``: a Quasar colour, and the left edge's), at the
    bottom right, with one link button (label, href) when given."""
    options: dict[str, Any] = {"caption": caption} if caption else {}
    actions = [] if link is None else [{"label": link[0], "href": link[1], "color": "primary",
                                        "noCaps": True, "data-testid": "toast-link"}]
    ui.notify(message, position="bottom-right", timeout=TOAST_MS, group=False,
              multi_line=multi_line, color="dark", icon=icon, iconColor=look,
              classes=f"aurora-toast {look}", actions=actions, attrs=attrs, **options)


def failure_text(reason: str | None) -> str:
    """The failed toast's text: the backend's reason after "Generation failed", said once."""
    if not reason:
        return "Generation failed"
    return reason if reason.startswith("Generation failed") else f"Generation failed: {reason}"


def _listed_owner(directory: JobDirectory, job_id: str) -> str | None:
    """Who started the job, from the latest list."""
    jobs = directory.latest.jobs if directory.latest is not None else []
    return next((job.owner for job in jobs if job.job_id == job_id), None)
