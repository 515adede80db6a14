"""The Server-Sent-Events progress stream of one job.

Every (re)connection starts with the job's current state (with ``retry: 3000``), then every
later state in order, then ``done``. A job that has ended sends its state and ``done`` at once.
Keep-alive comments go out while nothing else does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.backend.deps import Backend, BackendParts, not_found
from services.backend.store import StoreUnavailable
from services.contract import (
    DoneData,
    ErrorBody,
    ErrorData,
    ProgressResponse,
    has_ended,
    is_valid_job_id,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["progress"])
RETRY_MILLISECONDS = 3000


def _update(event_id: int, state: ProgressResponse, *, retry: int | None = None) -> ServerSentEvent:
    return ServerSentEvent(state.model_dump_json(), event="update", id=str(event_id), retry=retry)


def _done(event_id: int, status: str) -> ServerSentEvent:
    return ServerSentEvent(DoneData(status=status).model_dump_json(), event="done",
                           id=str(event_id + 1))


async def _events(backend: BackendParts, job_id: str,
                  first: tuple[int, ProgressResponse]) -> AsyncIterator[ServerSentEvent]:
    """The stream's events: the current state, every change after it, then ``done``."""
    last, state = first
    yield _update(last, state, retry=RETRY_MILLISECONDS)
    if has_ended(state.status):
        yield _done(last, state.status)
        return
    while True:
        try:
            changes = await backend.presenter.changes_after(job_id, last)
        except StoreUnavailable as error:
            log.warning("could not read job %s: %s", job_id, error)
            yield ServerSentEvent(ErrorData(error="Could not read the job; retrying")
                                  .model_dump_json(), event="error", id=str(last))
            continue
        for event_id, state in changes:
            last = event_id
            yield _update(event_id, state)
            if has_ended(state.status):
                yield _done(event_id, state.status)
                return


@router.get("/jobs/{job_id}/progress", responses={404: {"model": ErrorBody}},
            response_model=None)
async def progress(
    job_id: str,
    backend: Backend,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse | JSONResponse:
    """Stream the job's progress as Server-Sent Events."""
    first = await backend.presenter.latest(job_id) if is_valid_job_id(job_id) else None
    if first is None:
        return not_found()
    if last_event_id is not None:
        log.debug("job %s: stream resumed after event %s", job_id, last_event_id)
    return EventSourceResponse(
        _events(backend, job_id, first),
        ping=backend.keepalive_seconds,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
