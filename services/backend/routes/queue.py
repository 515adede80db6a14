"""The queue in view: its state, and moving a queued job ahead of its owner's others."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.backend.access import CallerDep
from services.backend.deps import Backend, not_found, refusal_to_act
from services.backend.queue import JobNotFound, JobNotPending, NoWaitingLine
from services.contract import ErrorBody, JobSummary, QueueState

router = APIRouter(tags=["queue"])


def _no_waiting_line() -> JSONResponse:
    """405: this backend's queue keeps no line of its own to read or reorder."""
    return JSONResponse({"detail": "This backend's queue has no waiting line"}, status_code=405)


@router.get("/queue", response_model=QueueState, responses={405: {"model": ErrorBody}})
async def queue_state(backend: Backend, caller: CallerDep) -> QueueState | JSONResponse:
    """The jobs waiting and running, the render workers, and how long a job the caller
    submitted now would wait before it starts (fair share decides whom it waits for)."""
    try:
        return await backend.queue.state(caller.name)
    except NoWaitingLine:
        return _no_waiting_line()


@router.post("/jobs/{job_id}/run-next", status_code=202, response_model=JobSummary,
             responses={status: {"model": ErrorBody} for status in (403, 404, 405, 409)})
async def run_next(job_id: str, backend: Backend,
                   caller: CallerDep) -> JobSummary | JSONResponse:
    """Move a queued job (the owner's or an admin's) ahead of its owner's other queued jobs;
    the answer says where it stands now."""
    if refused := await refusal_to_act(backend, caller, job_id, "move"):
        return refused
    try:
        await backend.queue.run_next(job_id)
    except JobNotFound:
        return not_found()
    except JobNotPending:
        return JSONResponse({"detail": "Job is not waiting in the queue"}, status_code=409)
    except NoWaitingLine:
        return _no_waiting_line()
    moved = await backend.presenter.summary(job_id)
    return not_found() if moved is None else moved
