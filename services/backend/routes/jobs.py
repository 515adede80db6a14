"""Generate, list (and search), read, cancel, retry and delete jobs, and read their logs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from services.backend.access import CallerDep
from services.backend.deletion import JobNotEnded
from services.backend.deps import Backend, not_found, refusal_to_act
from services.backend.job_log import by
from services.backend.queue import JobAlreadyEnded, JobNotFailed, JobNotFound, RetryNotSupported
from services.backend.store import JobFilter
from services.contract import (
    CancelResponse,
    ErrorBody,
    GenerateRequest,
    GenerateResponse,
    JobDetail,
    JobList,
    JobLog,
    JobSummary,
    LogEntry,
    is_valid_job_id,
)

router = APIRouter(tags=["jobs"])
SEARCH_MAX_CHARS = 200  # a search longer than any sensible one is refused (422)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


@router.post("/generate", status_code=202, response_model=GenerateResponse)
async def generate(request: GenerateRequest, backend: Backend,
                   caller: CallerDep) -> GenerateResponse:
    """Queue a new video of the caller's; its progress streams at ``/jobs/{job_id}/progress``.
    A ``webhook_url`` this backend may not call is refused like any invalid field (422)."""
    if request.webhook_url is not None and (
            refused := backend.webhooks.refusal(request.webhook_url)):
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "webhook_url"),
                                       "msg": refused, "input": request.webhook_url}])
    record = await backend.queue.submit(request, owner=caller.name)
    return GenerateResponse(job_id=record.job_id, status=record.status)


@router.get("/jobs", response_model=JobList)
async def list_jobs(
    backend: Backend,
    status: str | None = None,
    q: Annotated[str | None, Query(max_length=SEARCH_MAX_CHARS)] = None,
    owner: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobList:
    """The jobs, newest first; only those in ``status``, of ``owner``, or with every word of
    ``q`` in the prompt or the style (any case), if given; ``total`` counts them all."""
    matching = JobFilter.searching(q, status=status, owner=owner)
    return await backend.presenter.page(matching, limit=limit, offset=offset)


@router.get("/jobs/{job_id}", response_model=JobDetail, responses=_NOT_FOUND)
async def get_job(job_id: str, backend: Backend) -> JobDetail | JSONResponse:
    """One job in full, with freshly signed asset URLs and its script."""
    detail = await backend.presenter.detail(job_id) if is_valid_job_id(job_id) else None
    return not_found() if detail is None else detail


@router.delete("/jobs/{job_id}", status_code=204, response_class=Response,
               responses={status: {"model": ErrorBody} for status in (403, 404, 409)})
async def delete_job(job_id: str, backend: Backend, caller: CallerDep) -> Response:
    """Remove an ended job (the owner's or an admin's): its record and every file it made."""
    if refused := await refusal_to_act(backend, caller, job_id, "delete"):
        return refused
    try:
        await backend.deletion.delete(job_id)
    except JobNotFound:
        return not_found()
    except JobNotEnded:
        return JSONResponse({"detail": "Only an ended job can be deleted (cancel it first)"},
                            status_code=409)
    return Response(status_code=204)


@router.post("/jobs/{job_id}/cancel", status_code=202, response_model=CancelResponse,
             responses={**_NOT_FOUND, 403: {"model": ErrorBody}, 409: {"model": ErrorBody}})
async def cancel_job(job_id: str, backend: Backend,
                     caller: CallerDep) -> CancelResponse | JSONResponse:
    """Stop a queued or running job (the owner's or an admin's); it ends failed with
    "Cancelled by user"."""
    if refused := await refusal_to_act(backend, caller, job_id, "cancel"):
        return refused
    await backend.log.note(job_id, f"Cancel asked{by(caller.name)}")
    try:
        record = await backend.queue.cancel(job_id)
    except JobNotFound:
        return not_found()
    except JobAlreadyEnded:
        return JSONResponse({"detail": "Job has already ended"}, status_code=409)
    return CancelResponse(job_id=record.job_id, status=record.status)


@router.post("/jobs/{job_id}/retry", status_code=202, response_model=JobSummary,
             responses={status: {"model": ErrorBody} for status in (403, 404, 405, 409)})
async def retry_job(job_id: str, backend: Backend,
                    caller: CallerDep) -> JobSummary | JSONResponse:
    """Run a failed job (the owner's or an admin's) again as its next attempt: the same job,
    queued again, keeping the scenes and music it made."""
    if refused := await refusal_to_act(backend, caller, job_id, "retry"):
        return refused
    try:
        await backend.queue.retry(job_id)
    except JobNotFound:
        return not_found()
    except JobNotFailed:
        return JSONResponse({"detail": "Only a failed job can be retried"}, status_code=409)
    except RetryNotSupported:
        return JSONResponse({"detail": "This backend cannot retry jobs"}, status_code=405)
    retried = await backend.presenter.summary(job_id)
    if retried is None:
        return not_found()
    await backend.log.note(job_id, f"Retried{by(caller.name)}: attempt {retried.attempt}")
    return retried


@router.get("/jobs/{job_id}/log", response_model=JobLog, responses=_NOT_FOUND)
async def job_log(job_id: str, backend: Backend) -> JobLog | JSONResponse:
    """What happened to the job, oldest first: queued, its stages, retries, its end and why."""
    if not is_valid_job_id(job_id) or await backend.presenter.summary(job_id) is None:
        return not_found()
    return JobLog(lines=[LogEntry(at=line.at, level=line.level, message=line.message)
                         for line in await backend.log.lines(job_id)])
