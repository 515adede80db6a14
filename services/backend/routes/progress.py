"""The Server-Sent-Events progress stream of one job.

Every (re)connection starts with the job's current state (with ``retry: 3000``), then every
later state in order, then ``done``. A job that has ended sends its state and ``done`` at once.
Keep-alive comments go out while nothing else does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.backend.deps import Backend, BackendParts, not_found
from services.backend.store import JobRecord
from services.contract import DoneData, ErrorBody, ErrorData, ProgressResponse, is_valid_job_id

log = logging.getLogger(__name__)

router = APIRouter(tags=["progress"])
RETRY_MILLISECONDS = 3000
RECHECK_SECONDS = 5.0  # how often a quiet stream re-reads the store, in case it missed a wake-up


def _update(event_id: int, state: ProgressResponse, *, retry: int | None = None) -> ServerSentEvent:
    return ServerSentEvent(state.model_dump_json(), event="update", id=str(event_id), retry=retry)


def _done(event_id: int, status: str) -> ServerSentEvent:
    return ServerSentEvent(DoneData(status=status).model_dump_json(), event="done",
                           id=str(event_id + 1))


async def _events(backend: BackendParts, first: JobRecord) -> AsyncIterator[ServerSentEvent]:
    """The stream's events: the current state, every change after it, then ``done``."""
    last = first.event_id
    yield _update(last, backend.runner.state(first), retry=RETRY_MILLISECONDS)
    if first.ended:
        yield _done(last, first.status)
        return
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(backend.feed.wait(first.job_id, last), RECHECK_SECONDS)
        changes = backend.feed.after(first.job_id, last)
        if not changes:
            try:
                record = backend.store.get(first.job_id)
            except sqlite3.Error as error:
                log.warning("could not read job %s: %s", first.job_id, error)
                yield ServerSentEvent(ErrorData(error="Could not read the job; retrying")
                                      .model_dump_json(), event="error", id=str(last))
                continue
            if record is not None and record.event_id > last:
                changes = [(record.event_id, backend.runner.state(record))]
        for event_id, state in changes:
            last = event_id
            yield _update(event_id, state)
            if state.status in ("completed", "failed"):
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
    record = backend.store.get(job_id) if is_valid_job_id(job_id) else None
    if record is None:
        return not_found()
    if last_event_id is not None:
        log.debug("job %s: stream resumed after event %s", job_id, last_event_id)
    return EventSourceResponse(
        _events(backend, record),
        ping=backend.keepalive_seconds,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
