"""The Server-Sent-Events progress stream of one job.

A stream opens with the job's current state, or, resumed with ``Last-Event-ID: k`` while the
feed still holds what came after ``k``, with exactly those events, in order (``retry: 3000``
on the first either way); then every later state in order, then ``done``. Nothing comes twice:
a client that already has the current state (``k`` is its id) gets it once more as id ``k``,
not a later event. A job that has ended sends its state and ``done`` at once. Keep-alive
comments go out while nothing else does. While the feed is unavailable (Redis down) the stream
follows the stored state instead, so it still reaches ``done``; ``error`` events say only that
the store itself could not be read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.backend.deps import Backend, BackendParts, not_found
from services.backend.feed import FeedUnavailable
from services.backend.routes.sse import RETRY_MILLISECONDS, event_stream, sent_event_id
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
ERROR_PAUSE_SECONDS = 1.0  # after an `error` event, before reading again

Change = tuple[int, ProgressResponse]


def _update(event_id: int, state: ProgressResponse, *, retry: int | None = None) -> ServerSentEvent:
    return ServerSentEvent(state.model_dump_json(), event="update", id=str(event_id), retry=retry)


def _done(event_id: int, status: str) -> ServerSentEvent:
    return ServerSentEvent(DoneData(status=status).model_dump_json(), event="done",
                           id=str(event_id + 1))


async def _opening(backend: BackendParts, job_id: str, current: Change,
                   resumed_after: int | None) -> list[Change]:
    """What the stream starts with: the events after ``resumed_after`` when the feed holds
    them all from the next one on, ending no earlier than ``current``; else ``current``."""
    if resumed_after is None or resumed_after >= current[0]:
        return [current]
    try:
        held = await backend.presenter.held_after(job_id, resumed_after)
    except FeedUnavailable as error:
        log.warning("job %s: cannot replay the feed (%s); starting from the store", job_id, error)
        return [current]
    if not held or held[0][0] != resumed_after + 1:
        return [current]
    return held if held[-1][0] >= current[0] else [*held, current]


class _Follower:
    """Where one stream reads the job's changes: the feed, or the store while the feed is
    unavailable (a Redis outage must not freeze a stream whose job the store still has).

    It tries the feed again at every read, so the stream goes back to exact events once the
    feed answers, and logs each outage once, not at every read."""

    def __init__(self, backend: BackendParts, job_id: str) -> None:
        self._presenter = backend.presenter
        self._job_id = job_id
        self._feed_down = False

    async def changes_after(self, event_id: int) -> list[Change]:
        """The job's changes after ``event_id``; ``StoreUnavailable`` passes through."""
        try:
            changes = await self._presenter.changes_after(self._job_id, event_id)
        except FeedUnavailable as error:
            if not self._feed_down:
                log.warning("job %s: the progress feed is unavailable (%s); following the store",
                            self._job_id, error)
                self._feed_down = True
            return await self._presenter.stored_after(self._job_id, event_id)
        if self._feed_down:
            log.info("job %s: the progress feed answers again; following it", self._job_id)
            self._feed_down = False
        return changes


async def _events(backend: BackendParts, job_id: str,
                  opening: list[Change]) -> AsyncIterator[ServerSentEvent]:
    """The stream's events: the opening ones, every change after them, then ``done``;
    counted as an open stream (``/metrics``) until it ends or the client leaves."""
    with backend.metrics.progress_streams.track_inprogress():
        async for event in _changes(backend, job_id, opening):
            yield event


async def _changes(backend: BackendParts, job_id: str,
                   opening: list[Change]) -> AsyncIterator[ServerSentEvent]:
    """``_events`` without the counting."""
    retry: int | None = RETRY_MILLISECONDS
    changes, last = opening, opening[0][0]
    follower = _Follower(backend, job_id)
    while True:
        for event_id, state in changes:
            last = event_id
            yield _update(event_id, state, retry=retry)
            retry = None
            if has_ended(state.status):
                yield _done(event_id, state.status)
                return
        try:
            changes = await follower.changes_after(last)
        except StoreUnavailable as error:
            log.warning("could not read job %s: %s", job_id, error)
            yield ServerSentEvent(ErrorData(error="Could not read the job; retrying")
                                  .model_dump_json(), event="error", id=str(last))
            changes = []
            await asyncio.sleep(ERROR_PAUSE_SECONDS)


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
    opening = await _opening(backend, job_id, first, sent_event_id(last_event_id))
    return event_stream(_events(backend, job_id, opening), backend.keepalive_seconds)
