"""The backend's event streams as typed events, across drops: ``EventStream`` for any of them,
and a job's progress (``GET /api/v1/jobs/{id}/progress``) as ``ProgressStream``.

httpx-sse parses the wire; reconnecting is ours, as that library leaves it to its users:

- every connection sends ``Last-Event-ID`` once an ``id:`` has been seen;
- a stream that ends before its final event (a progress stream's ``done``), a broken
  connection, a 5xx or 429, or a stream silent for
  longer than ``read_timeout`` (keep-alive comments count as activity: they are bytes on the
  wire, so httpx's read timeout restarts) is a failed connection: the stream yields
  ``Reconnecting``, waits (``Backoff``) and tries again;
- an event that arrives resets the count of failed attempts; after ``max_attempts`` failures in
  a row it yields ``ConnectionFailed`` and stops, as it does at once on a 404 or other 4xx;
- a malformed or unknown event is logged and skipped, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse
from pydantic import ValidationError

from services.client.errors import AuroraError, RequestRejected, check_job_id, mapped_errors
from services.client.events import (
    ConnectionFailed,
    Done,
    Reconnecting,
    ServerError,
    Update,
)
from services.contract import API_PREFIX, DoneData, ErrorData, ProgressResponse

logger = logging.getLogger(__name__)

WireEvent = Update | Done | ServerError
WireT = TypeVar("WireT")


@dataclass(frozen=True, slots=True)
class Backoff:
    """The wait before a reconnection attempt: ``base`` doubling each time, up to ``cap``."""

    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, server_hint: float | None = None) -> float:
        """Seconds before attempt ``attempt`` (1-based).

        The server's ``retry:`` only raises the wait, and never past ``cap``: a server may slow us
        down a little, not stall the dialog.
        """
        own = self.base * 2 ** (attempt - 1)
        return min(self.cap, max(own, server_hint or 0.0))


DEFAULT_BACKOFF = Backoff()


class EventStream(Generic[WireT]):
    """A stream of Server-Sent Events that survives dropped connections, as an async iterator.

    A subclass names the path (``_path``), turns each server-sent event into its typed event
    or None (``_decode``), and says which event ends the stream (``_final``). Iterating yields
    those events, with ``Reconnecting`` before each new attempt, and ends with the final event
    or ``ConnectionFailed``.

    Parameters:
        http: the client to connect with (its base URL, headers and connect timeout are used).
        last_event_id: where a previous stream stopped, to resume from there.
        max_attempts: failed reconnection attempts in a row before giving up.
        read_timeout: seconds without a byte from the server before the connection counts as dead.
        backoff: the waits between attempts.

    Close it with ``aclose()`` or ``async with``: the HTTP response closes at once, so the
    server sees the disconnect. A task blocked reading the stream is stopped by cancelling it.
    """

    _ended_early = "The stream ended"  # why a stream that ended on its own is reconnected

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        last_event_id: str | None = None,
        max_attempts: int = 3,
        read_timeout: float = 45.0,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        self.last_event_id = last_event_id
        self._http = http
        self._where = str(http.base_url).rstrip("/")
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._retry_hint: float | None = None
        defaults = http.timeout
        self._timeout = httpx.Timeout(
            connect=defaults.connect, read=read_timeout, write=defaults.write, pool=defaults.pool
        )
        self._events = self._run()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> WireT | Reconnecting | ConnectionFailed:
        return await self._events.__anext__()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the stream and close its HTTP response now."""
        await self._events.aclose()

    def _path(self) -> str:
        """Where the stream is, below the base URL."""
        raise NotImplementedError

    def _decode(self, sse: ServerSentEvent) -> WireT | None:
        """The typed event for one server-sent event, or None to skip it."""
        raise NotImplementedError

    def _final(self, event: WireT) -> bool:
        """Whether ``event`` ends the stream."""
        return False

    def _opened(self) -> WireT | None:
        """The event that says a connection is open, for a stream that has one."""
        return None

    async def _run(self) -> AsyncGenerator[WireT | Reconnecting | ConnectionFailed, None]:
        """Connect, pass the wire events on, and reconnect until the final one or giving up."""
        failures = 0
        reason = ""
        while True:
            if failures:
                if failures > self._max_attempts:
                    yield ConnectionFailed(reason)
                    return
                logger.info("%s: %s; reconnecting (%d)", self._path(), reason, failures)
                yield Reconnecting(failures, self._max_attempts, reason)
                await asyncio.sleep(self._backoff.delay(failures, self._retry_hint))
            try:
                async with aclosing(self._connection()) as events:
                    async for event in events:
                        failures = 0
                        yield event
                        if self._final(event):
                            return
                reason = self._ended_early
            except RequestRejected as error:  # a 404 or other 4xx: trying again will not help
                yield ConnectionFailed(str(error), error.status_code)
                return
            except AuroraError as error:
                reason = str(error)
            failures += 1

    async def _connection(self) -> AsyncGenerator[WireT, None]:
        """One HTTP connection: its well-formed events, until it ends; failures raise."""
        headers = {"Last-Event-ID": self.last_event_id} if self.last_event_id else {}
        with mapped_errors(self._where, job_id=self._job_id_for_errors()):
            async with aconnect_sse(
                self._http, "GET", self._path(), headers=headers, timeout=self._timeout
            ) as source:
                if source.response.is_error:
                    await source.response.aread()
                    source.response.raise_for_status()
                opened = self._opened()
                if opened is not None:
                    yield opened
                async for sse in source.aiter_sse():
                    if sse.id:
                        self.last_event_id = sse.id
                    if sse.retry is not None:
                        self._retry_hint = sse.retry / 1000
                    event = self._decode(sse)
                    if event is not None:
                        yield event

    def _job_id_for_errors(self) -> str | None:
        """The job a 404 means is unknown, if the stream is one job's."""
        return None


class ProgressStream(EventStream[WireEvent]):
    """The events of one job's progress (see the module's docstring).

    Usage::

        async with client.progress(job_id) as stream:
            async for event in stream:
                ...  # Update, ServerError, Reconnecting; the last is Done or ConnectionFailed

    ``job_id`` is checked before any request (``InvalidJobId``); the other parameters are
    ``EventStream``'s.
    """

    _ended_early = "The progress stream ended before the job did"

    def __init__(self, http: httpx.AsyncClient, job_id: str, **options: Any) -> None:
        self.job_id = check_job_id(job_id)
        super().__init__(http, **options)

    def _path(self) -> str:
        return f"{API_PREFIX}/jobs/{self.job_id}/progress"

    def _decode(self, sse: ServerSentEvent) -> WireEvent | None:
        return decoded(sse, _PROGRESS_EVENTS)

    def _final(self, event: WireEvent) -> bool:
        return isinstance(event, Done)

    def _job_id_for_errors(self) -> str | None:
        return self.job_id


_PROGRESS_EVENTS: dict[str, Callable[[str], WireEvent]] = {
    "update": lambda data: Update(ProgressResponse.model_validate_json(data)),
    "done": lambda data: Done(DoneData.model_validate_json(data).status),
    "error": lambda data: ServerError(ErrorData.model_validate_json(data).error),
}


def decoded(sse: ServerSentEvent, decoders: Mapping[str, Callable[[str], WireT]]) -> WireT | None:
    """The typed event for one server-sent event, by its name's decoder, or None (logged) if
    it is malformed or of a name without one."""
    decoder = decoders.get(sse.event)
    if decoder is None:
        if sse.event != "message" or sse.data:  # a block of only id:/retry: dispatches nothing
            logger.warning("Skipped an unknown %r event: %.200r", sse.event, sse.data)
        return None
    try:
        return decoder(sse.data)
    except ValidationError as error:
        problem = error.errors()[0]["msg"]
        logger.warning("Skipped a malformed %r event (%s): %.200r", sse.event, problem, sse.data)
        return None
