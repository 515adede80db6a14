"""``GET /api/v1/events`` on a real backend (``main.py api``): every job's changes, resumed
exactly with ``Last-Event-ID``, a ``reset`` whenever it cannot be, deletions, one owner's jobs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import islice

import httpx
import pytest

from services.contract import API_PREFIX, CANCELLED_ERROR, JobStatus
from testkit.app_process import AppProcess, quick_api
from testkit.sse import Event, follow_changes, generate
from testkit.team_api import acting_for, start_team_api
from testkit.waiting import wait_until

CHUNK = 7  # events a resuming reader takes before it drops the connection and comes back


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with quick_api(tmp_path_factory.mktemp("events") / "data") as app:
        yield app


def _newest(app: AppProcess) -> int:
    """The newest change's id: a stream opened afresh starts with a reset saying it."""
    reset = next(follow_changes(app.base_url, timeout=10))
    assert reset.event == "reset"
    return int(reset.id)


def _submit_and_cancel(app: AppProcess) -> str:
    job_id = generate(app.base_url, duration=60)
    answer = httpx.post(f"{app.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10)
    assert answer.status_code == 202
    return job_id


def _ended(app: AppProcess, job_id: str) -> bool:
    job = httpx.get(f"{app.base_url}{API_PREFIX}/jobs/{job_id}", timeout=10).json()
    return job["status"] in (JobStatus.COMPLETED, JobStatus.FAILED)


class Reader(threading.Thread):
    """Reads the change stream from change ``after`` until the change ``until`` (set once
    known), dropping the connection every ``chunk`` events and resuming with Last-Event-ID
    (``chunk`` None: one connection throughout)."""

    def __init__(self, app: AppProcess, after: int, *, chunk: int | None = None) -> None:
        super().__init__(daemon=True)
        self.events: list[Event] = []
        self.connections = 0
        self.until: int | None = None
        self._app, self._last, self._chunk = app, str(after), chunk

    def run(self) -> None:
        while self.until is None or int(self._last) < self.until:
            self.connections += 1
            stream = follow_changes(self._app.base_url, last_event_id=self._last, timeout=60)
            for event in islice(stream, self._chunk):
                self.events.append(event)
                self._last = event.id
                if self.until is not None and int(event.id) >= self.until:
                    break
            stream.close()


def test_a_resumed_stream_misses_nothing_and_repeats_nothing_across_a_hundred_changes(
        backend: AppProcess) -> None:
    start = _newest(backend)
    whole, resuming = Reader(backend, start), Reader(backend, start, chunk=CHUNK)
    whole.start()
    resuming.start()

    rendered = [generate(backend.base_url) for _ in range(2)]  # 15 s each, draft pictures
    cancelled = [_submit_and_cancel(backend) for _ in range(45)]
    wait_until(lambda: all(_ended(backend, job_id) for job_id in rendered), timeout=120)
    until = _newest(backend)
    whole.until = resuming.until = until
    _submit_and_cancel(backend)  # one change more: wakes a reader waiting at ``until``
    whole.join(60)
    resuming.join(60)

    assert until - start >= 100
    whole_run, resumed = (
        [event for event in reader.events if int(event.id) <= until]  # the one more left out
        for reader in (whole, resuming))
    assert [int(event.id) for event in whole_run] == list(range(start + 1, until + 1))
    assert [(event.id, event.event, event.data) for event in resumed] == [
        (event.id, event.event, event.data) for event in whole_run]
    assert resuming.connections >= (until - start) // CHUNK
    last_row = {event.data["job_id"]: event.data for event in whole_run}
    assert {last_row[job_id]["status"] for job_id in rendered} == {JobStatus.COMPLETED}
    assert {last_row[job_id]["error"] for job_id in cancelled} == {CANCELLED_ERROR}
    assert {event.event for event in whole_run} == {"job"}


@pytest.mark.parametrize("sent", [None, "not-a-number", "99999999999999999999", "1"])
def test_a_stream_that_cannot_resume_starts_with_a_reset_at_the_newest_change(
        backend: AppProcess, sent: str | None) -> None:
    newest = _newest(backend)
    first = next(follow_changes(backend.base_url, last_event_id=sent, timeout=10))

    assert (first.event, first.id, first.retry, first.data) == ("reset", str(newest), 3000, {})


def test_a_deleted_job_is_a_deleted_event(backend: AppProcess) -> None:
    job_id = _submit_and_cancel(backend)
    wait_until(lambda: _ended(backend, job_id), timeout=30)
    after = _newest(backend)

    answer = httpx.delete(f"{backend.base_url}{API_PREFIX}/jobs/{job_id}", timeout=10)
    assert answer.status_code == 204

    event = next(follow_changes(backend.base_url, last_event_id=str(after), timeout=10))
    assert (event.event, event.id, event.data) == ("deleted", str(after + 1), {"job_id": job_id})


def test_an_owners_stream_carries_that_owners_jobs_only(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    team = start_team_api(tmp_path_factory.mktemp("owners") / "data", ("ana", "ben"))
    try:
        def submit(user: str) -> str:
            answer = httpx.post(f"{team.base_url}{API_PREFIX}/generate", timeout=10,
                                json={"prompt": f"{user}'s fox", "duration": 15},
                                headers=acting_for(user))
            job_id: str = answer.json()["job_id"]
            httpx.post(f"{team.base_url}{API_PREFIX}/jobs/{job_id}/cancel", timeout=10,
                       headers=acting_for(user))
            return job_id

        reset = next(follow_changes(team.base_url, headers=acting_for("ana"), timeout=10))
        submit("ben")
        ana_job = submit("ana")
        seen: list[Event] = []
        for event in follow_changes(team.base_url, owner="ana", last_event_id=reset.id,
                                    headers=acting_for("ana"), timeout=10):
            seen.append(event)
            if event.data["status"] == JobStatus.FAILED:
                break

        assert {event.data["job_id"] for event in seen} == {ana_job}
        assert seen[0].data["status"] == JobStatus.PENDING
        assert int(seen[0].id) > int(reset.id) + 2  # ben's changes (at least two) went unsent
        unauthorised = httpx.get(f"{team.base_url}{API_PREFIX}/events", timeout=10)
        assert unauthorised.status_code == 401
    finally:
        team.stop()
