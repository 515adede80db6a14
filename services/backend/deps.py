"""What every route needs: the backend's parts, and the JSON 404 and 403 answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from services.backend.access import Caller
from services.backend.deletion import JobDeletion
from services.backend.feed import ChangeLog
from services.backend.job_log import JobLogBook
from services.backend.media import LocalMedia
from services.backend.metrics import BackendMetrics
from services.backend.presenter import JobPresenter
from services.backend.queue import JobIntake
from services.backend.webhooks import Webhooks
from services.contract import is_valid_job_id


@dataclass(frozen=True)
class BackendParts:
    """What the routes use: the queue for changes, the presenter for reads, the change log
    of every job, deletion, the jobs' logs, the media files the backend serves itself (None
    when an object store serves them), the webhooks (which URLs a job may name) and the
    metrics."""

    queue: JobIntake
    presenter: JobPresenter
    changes: ChangeLog
    deletion: JobDeletion
    log: JobLogBook
    local_media: LocalMedia | None
    keepalive_seconds: float
    webhooks: Webhooks
    metrics: BackendMetrics


def _parts(request: Request) -> BackendParts:
    parts: BackendParts = request.app.state.aurora_backend
    return parts


Backend = Annotated[BackendParts, Depends(_parts)]


def not_found() -> JSONResponse:
    """The contract's 404: a JSON body, never a page or a stream."""
    return JSONResponse({"detail": "Job not found"}, status_code=404)


def not_yours(action: str) -> JSONResponse:
    """The contract's 403 to anyone but the job's owner or an admin, who alone may ``action``
    it."""
    return JSONResponse({"detail": f"Only the job's owner or an admin may {action} it"},
                        status_code=403)


async def refusal_to_act(backend: BackendParts, caller: Caller, job_id: str,
                         action: str) -> JSONResponse | None:
    """Why ``caller`` may not ``action`` the job (404: no such job, 403: not theirs), or None
    when they may: the check every route that changes a job makes first."""
    job = await backend.presenter.summary(job_id) if is_valid_job_id(job_id) else None
    if job is None:
        return not_found()
    return None if caller.may_act_on(job.owner) else not_yours(action)
