"""Reading the embedded backend's progress stream in tests, as any SSE client would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import connect_sse


@dataclass
class Event:
    """One received event, decoded."""

    event: str
    id: str
    retry: int | None
    data: dict[str, Any]


def read_events(base_url: str, job_id: str, *, limit: int | None = None,
                last_event_id: str | None = None, timeout: float = 120.0) -> list[Event]:
    """Events of the job's stream until ``done`` (or ``limit`` events), then disconnect."""
    headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    events: list[Event] = []
    with httpx.Client(base_url=base_url, timeout=timeout) as client, connect_sse(
        client, "GET", f"/api/v1/jobs/{job_id}/progress", headers=headers
    ) as source:
        for sse in source.iter_sse():
            if not sse.data:  # a keep-alive comment: httpx-sse dispatches it as an empty event
                continue
            events.append(Event(sse.event, sse.id, sse.retry, json.loads(sse.data)))
            if sse.event == "done" or (limit is not None and len(events) >= limit):
                break
    return events


def generate(base_url: str, **fields: Any) -> str:
    """Start a job; its id."""
    body = {"prompt": "A fox runs through a snowy forest at dawn", "duration": 15, **fields}
    answer = httpx.post(f"{base_url}/api/v1/generate", json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["job_id"]
    return job_id


def wait_for_stage(base_url: str, job_id: str, prefix: str) -> Event:
    """Follow the stream until the job's stage starts with ``prefix``."""
    with httpx.Client(base_url=base_url, timeout=120) as client, connect_sse(
        client, "GET", f"/api/v1/jobs/{job_id}/progress"
    ) as source:
        for sse in source.iter_sse():
            if not sse.data:
                continue
            event = Event(sse.event, sse.id, sse.retry, json.loads(sse.data))
            if event.event == "update" and event.data["current_stage"].startswith(prefix):
                return event
            if event.event == "done":
                break
    raise AssertionError(f"job {job_id} ended before reaching {prefix}")
