"""The Server-Sent-Events stream of every job's changes (``GET /api/v1/events``): what keeps a
job list live without polling.

A stream resumed with ``Last-Event-ID: k`` while the change log still holds everything after
``k`` goes on exactly after it: nothing missed, nothing twice. Otherwise (a first connection,
a log that has dropped what came after ``k``, a backend restarted since) it starts with
``reset``, whose id is the newest change: the reader lists the jobs, and every change after
that comes on the stream. A gap in the log (Redis away while a job changed) reaches the
readers as a ``reset`` too. ``?owner=`` leaves other owners' ``job`` events out (deletions go
to everyone: a reader ignores a job it does not list). While the log cannot be read the stream
waits, keep-alive comments going on, and then goes on where it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.backend.deps import Backend
from services.backend.feed import Change, ChangeLog, FeedUnavailable
from services.backend.routes.sse import RETRY_MILLISECONDS, event_stream, sent_event_id
from services.contract import ErrorBody

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])
WAIT_SECONDS = 5.0  # one wait on the log for the next change
UNAVAILABLE_PAUSE_SECONDS = 1.0  # after the log could not be read, before reading again


def _reset(change_id: int, *, retry: int | None = None) -> ServerSentEvent:
    return ServerSentEvent("{}", event="reset", id=str(change_id), retry=retry)


async def _opening(changes: ChangeLog, after: int | None) -> tuple[int, list[Change] | None]:
    """Where a stream starts: after ``after`` with the changes held since, or (None) with a
    reset at the newest change, when nothing was sent back or the log no longer holds it."""
    if after is not None:
        held = await changes.after(after, wait=0)
        if held is not None:
            return after, held
    return await changes.newest(), None


async def _events(changes: ChangeLog, opening: tuple[int, list[Change] | None],
                  owner: str | None) -> AsyncIterator[ServerSentEvent]:
    """The stream's events: the opening, then every change as it comes."""
    last, held = opening
    retry: int | None = RETRY_MILLISECONDS
    if held is None:
        yield _reset(last, retry=retry)
        retry, held = None, []
    unavailable = False
    while True:
        for change in held:
            last = change.change_id
            if owner is None or change.kind != "job" or change.owner == owner:
                yield ServerSentEvent(change.data, event=change.kind, id=str(last), retry=retry)
                retry = None
        try:
            held = await changes.after(last, wait=WAIT_SECONDS)
            if held is None:  # the log dropped changes this stream had yet to send
                last, held = await changes.newest(), []
                yield _reset(last)
        except FeedUnavailable as error:
            if not unavailable:
                log.warning("the change log cannot be read (%s); waiting for it", error)
            unavailable, held = True, []
            await asyncio.sleep(UNAVAILABLE_PAUSE_SECONDS)
            continue
        if unavailable:
            log.info("the change log answers again")
            unavailable = False


@router.get("/events", response_model=None, responses={503: {"model": ErrorBody}})
async def events(
    backend: Backend,
    owner: str | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse | JSONResponse:
    """Stream every job's changes (of ``owner``'s jobs only, if given) as Server-Sent Events:
    ``job`` (a JobSummary), ``deleted`` (its id) and ``reset`` (list the jobs again)."""
    try:
        opening = await _opening(backend.changes, sent_event_id(last_event_id))
    except FeedUnavailable as error:
        log.warning("an events stream could not open: %s", error)
        return JSONResponse({"detail": "The job changes cannot be read; try again shortly"},
                            status_code=503, headers={"Retry-After": "5"})
    return event_stream(_events(backend.changes, opening, owner), backend.keepalive_seconds)
