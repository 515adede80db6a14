"""What the backend's two event streams share (a job's progress, every job's changes): the
reconnection hint, reading the id a client sends back, and the response itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse, ServerSentEvent

RETRY_MILLISECONDS = 3000  # the ``retry:`` of a stream's first event


def sent_event_id(header: str | None) -> int | None:
    """The id a client sends back in ``Last-Event-ID``, if it is one of ours."""
    text = (header or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def event_stream(events: AsyncIterator[ServerSentEvent],
                 keepalive_seconds: float) -> EventSourceResponse:
    """``events`` as Server-Sent Events, with keep-alive comments while nothing else goes out,
    never cached or buffered by a proxy on the way."""
    return EventSourceResponse(
        events,
        ping=keepalive_seconds,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
