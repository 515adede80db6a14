"""Every job's changes (``GET /api/v1/events``) as typed events, across drops: what keeps a
job list live without polling.

A ``reset`` (and a ``job`` event too odd to read) is ``ListAgain``: the stream cannot say what
changed since the reader's last event, so the reader lists the jobs again; every change after
that comes on the stream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from httpx_sse import ServerSentEvent
from pydantic import ValidationError

from services.client.stream import EventStream, decoded
from services.contract import API_PREFIX, DeletedData, JobSummary

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamOpened:
    """The backend answered with the stream: whatever kept it away is over (a quiet stream
    says nothing else until a job changes)."""


@dataclass(frozen=True, slots=True)
class JobChanged:
    """A ``job`` event: the job was created, or changed stage or status; its row now."""

    job: JobSummary


@dataclass(frozen=True, slots=True)
class JobDeleted:
    """A ``deleted`` event: the job is gone."""

    job_id: str


@dataclass(frozen=True, slots=True)
class ListAgain:
    """A ``reset`` event: list the jobs again (what changed before it cannot be told)."""


ChangeEvent = StreamOpened | JobChanged | JobDeleted | ListAgain


def _job_changed(data: str) -> JobChanged | ListAgain:
    """A job's row; one that cannot be read is a change missed, so the jobs are listed again."""
    try:
        return JobChanged(JobSummary.model_validate_json(data))
    except ValidationError as error:
        logger.warning("A job change could not be read (%s); listing again: %.200r",
                       error.errors()[0]["msg"], data)
        return ListAgain()


_CHANGE_EVENTS: dict[str, Callable[[str], ChangeEvent]] = {
    "job": _job_changed,
    "deleted": lambda data: JobDeleted(DeletedData.model_validate_json(data).job_id),
    "reset": lambda data: ListAgain(),
}


class ChangeStream(EventStream[ChangeEvent]):
    """Every job's changes (``owner``'s jobs only, if given), for as long as it is read.

    Usage::

        async with client.changes() as stream:
            async for event in stream:
                ...  # StreamOpened and ListAgain first, then JobChanged, JobDeleted,
                     # ListAgain; Reconnecting, then StreamOpened again after a drop;
                     # ConnectionFailed ends it (status_code 404: the backend has no events)

    The other parameters are ``EventStream``'s.
    """

    _ended_early = "The stream of job changes ended"

    def __init__(self, http: httpx.AsyncClient, *, owner: str | None = None,
                 **options: Any) -> None:
        self.owner = owner
        super().__init__(http, **options)

    def _path(self) -> str:
        query = "" if self.owner is None else "?" + urlencode({"owner": self.owner})
        return f"{API_PREFIX}/events{query}"

    def _decode(self, sse: ServerSentEvent) -> ChangeEvent | None:
        return decoded(sse, _CHANGE_EVENTS)

    def _opened(self) -> ChangeEvent:
        return StreamOpened()
