"""Reading the embedded backend's event streams in tests (a job's progress, every job's
changes), as any SSE client would."""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import connect_sse

from services.contract import stages

FIFTEEN_SECOND_STAGES = [stages.PENDING, *stages.stage_sequence(3)]  # in contract order


@dataclass
class Event:
    """One received event, decoded."""

    event: str
    id: str
    retry: int | None
    data: dict[str, Any]


def follow(base_url: str, job_id: str, *, last_event_id: str | None = None,
           timeout: float = 120.0, headers: dict[str, str] | None = None
           ) -> Generator[Event, None, None]:
    """The job's stream, event by event (keep-alives skipped), until ``done`` or the caller
    stops reading; the connection closes either way. ``headers`` go with the request (say,
    a token)."""
    for event in _events(base_url, f"/api/v1/jobs/{job_id}/progress", last_event_id,
                         timeout, headers):
        yield event
        if event.event == "done":
            return


def follow_changes(base_url: str, *, last_event_id: str | None = None, owner: str | None = None,
                   timeout: float = 120.0, headers: dict[str, str] | None = None
                   ) -> Generator[Event, None, None]:
    """Every job's changes (``GET /api/v1/events``; ``owner``'s jobs only, if given), event by
    event, until the caller stops reading, which closes the connection."""
    path = "/api/v1/events" + ("" if owner is None else f"?owner={owner}")
    yield from _events(base_url, path, last_event_id, timeout, headers)


def _events(base_url: str, path: str, last_event_id: str | None, timeout: float,
            headers: dict[str, str] | None) -> Generator[Event, None, None]:
    headers = {**(headers or {}),
               **({} if last_event_id is None else {"Last-Event-ID": last_event_id})}
    with httpx.Client(base_url=base_url, timeout=timeout) as client, connect_sse(
        client, "GET", path, headers=headers
    ) as source:
        for sse in source.iter_sse():
            if not sse.data:  # a keep-alive comment: httpx-sse dispatches it as an empty event
                continue
            yield Event(sse.event, sse.id, sse.retry, json.loads(sse.data))


def read_events(base_url: str, job_id: str, *, limit: int | None = None,
                last_event_id: str | None = None, timeout: float = 120.0) -> list[Event]:
    """Events of the job's stream until ``done`` (or ``limit`` events), then disconnect."""
    events: list[Event] = []
    for event in follow(base_url, job_id, last_event_id=last_event_id, timeout=timeout):
        events.append(event)
        if limit is not None and len(events) >= limit:
            break
    return events


def generate(base_url: str, **fields: Any) -> str:
    """Start a job; its id."""
    body = {"prompt": "A fox runs through a snowy forest at dawn", "duration": 15, **fields}
    answer = httpx.post(f"{base_url}/api/v1/generate", json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["job_id"]
    return job_id


def status_of(base_url: str, job_id: str) -> str:
    """The job's status now, as ``GET /api/v1/jobs/{id}`` says."""
    status: str = httpx.get(f"{base_url}/api/v1/jobs/{job_id}", timeout=10).json()["status"]
    return status


def wait_for_stage(base_url: str, job_id: str, prefix: str) -> Event:
    """Follow the stream until the job's stage starts with ``prefix``."""
    for event in follow(base_url, job_id):
        if event.event == "update" and event.data["current_stage"].startswith(prefix):
            return event
    raise AssertionError(f"job {job_id} ended before reaching {prefix}")


def wait_for_stage_index(base_url: str, job_id: str, index: int,
                         sequence: list[str] = FIFTEEN_SECOND_STAGES) -> None:
    """Poll the job (not its stream) until it has reached ``sequence[index]`` or gone past it."""
    deadline = time.monotonic() + 120
    while True:
        detail = httpx.get(f"{base_url}/api/v1/jobs/{job_id}", timeout=10).json()
        if sequence.index(detail["current_stage"]) >= index:
            return
        assert time.monotonic() < deadline, f"job {job_id} did not reach {sequence[index]}"
        time.sleep(0.05)


def assert_every_event_once_in_order(wire: list[Event],
                                     sequence: list[str] = FIFTEEN_SECOND_STAGES) -> None:
    """Consecutive ids (none missed, none twice), the contract's stages in order, then one
    ``done`` saying completed: what a job's events, however many connections carried them,
    must add up to."""
    ids = [int(event.id) for event in wire]
    assert ids == list(range(ids[0], ids[0] + len(ids))), [
        (event.id, event.event, event.data.get("current_stage")) for event in wire]
    seen = [event.data["current_stage"] for event in wire if event.event == "update"]
    assert seen == sequence[sequence.index(seen[0]):]
    assert [event.event for event in wire].count("done") == 1
    assert (wire[-1].event, wire[-1].data) == ("done", {"status": "completed"})
