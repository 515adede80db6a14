"""The job directory on a real backend's events stream (``main.py api``): it lists once, then
keeps the list, the counts and the endings from the changes alone, and resumes a dropped
stream where it stopped. List requests are counted by the backend's own access log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing

import httpx
import pytest

from services.client import AuroraClient
from services.contract import API_PREFIX, JobList, JobStatus
from services.dashboard.directory import JobDirectory
from services.dashboard.endings import Endings, JobEnded
from testkit.app_process import AppProcess, quick_api
from testkit.relay import Relay
from testkit.sse import generate

LISTING = f"{API_PREFIX}/jobs"
WITHIN = 120.0  # seconds a quick 15 s render may take on a busy machine


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with quick_api(tmp_path_factory.mktemp("directory-events") / "data") as app:
        yield app


@pytest.fixture
def relay(backend: AppProcess) -> Iterator[Relay]:
    """The backend behind a relay the test can cut."""
    relay = Relay(backend.port)
    relay.up()
    yield relay
    relay.close()


@pytest.fixture
async def directory(relay: Relay) -> AsyncIterator[JobDirectory]:
    async with AuroraClient(relay.url) as client, aclosing(
            JobDirectory(client, Endings(), interval=0.2)) as directory:
        yield directory


def _status_in(directory: JobDirectory, job_id: str) -> str | None:
    jobs = directory.latest.jobs if directory.latest is not None else []
    return next((job.status for job in jobs if job.job_id == job_id), None)


def _delete(backend: AppProcess, job_id: str) -> None:
    assert httpx.delete(f"{backend.base_url}{API_PREFIX}/jobs/{job_id}",
                        timeout=10).status_code == 204


def _cancel(backend: AppProcess, job_id: str) -> None:
    assert httpx.post(f"{backend.base_url}{API_PREFIX}/jobs/{job_id}/cancel",
                      timeout=10).status_code == 202


def _backend_counts(backend: AppProcess) -> tuple[int, dict[str, int]]:
    def total(**params: str) -> int:
        answer = httpx.get(f"{backend.base_url}{LISTING}", params={"limit": 1, **params},
                           timeout=10)
        count: int = answer.json()["total"]
        return count

    return total(), {status: total(status=status)
                     for status in (JobStatus.COMPLETED, JobStatus.FAILED)}


async def test_it_lists_once_then_follows_every_change_without_asking_for_the_list(
        directory: JobDirectory, backend: AppProcess) -> None:
    lists: list[JobList] = []
    endings: list[JobEnded] = []
    directory.on_change(lists.append)
    directory.on_job_ended(endings.append)
    await _until(lambda: directory.ended_counts is not None)
    asked = backend.requests_served(LISTING)

    finished, cancelled = generate(backend.base_url), generate(backend.base_url, duration=30)
    _cancel(backend, cancelled)
    await _until(lambda: _status_in(directory, finished) == JobStatus.COMPLETED, WITHIN)

    assert backend.requests_served(LISTING) == asked
    assert _status_in(directory, cancelled) == JobStatus.FAILED
    assert sorted((ending.job_id, ending.status) for ending in endings) == sorted(
        [(finished, JobStatus.COMPLETED), (cancelled, JobStatus.FAILED)])
    assert directory.latest is not None
    assert (directory.latest.total, directory.ended_counts) == _backend_counts(backend)
    assert lists[-1] == directory.latest


async def test_a_job_deleted_by_another_client_leaves_the_list_and_the_counts(
        directory: JobDirectory, backend: AppProcess) -> None:
    deleted: list[str] = []
    directory.on_change(lambda jobs: None)  # a list shown: what keeps the directory following
    directory.on_deleted(deleted.append)
    job_id = generate(backend.base_url)
    _cancel(backend, job_id)
    await _until(lambda: _status_in(directory, job_id) == JobStatus.FAILED)
    asked = backend.requests_served(LISTING)

    _delete(backend, job_id)
    await _until(lambda: deleted == [job_id])

    assert backend.requests_served(LISTING) == asked
    assert _status_in(directory, job_id) is None
    assert directory.latest is not None
    assert (directory.latest.total, directory.ended_counts) == _backend_counts(backend)


async def test_a_dropped_stream_resumes_where_it_stopped_without_listing_again(
        directory: JobDirectory, backend: AppProcess, relay: Relay) -> None:
    directory.on_change(lambda jobs: None)
    await _until(lambda: directory.latest is not None)
    asked = backend.requests_served(LISTING)

    relay.down()
    await _until(lambda: directory.error != "")
    while_away = generate(backend.base_url)
    _cancel(backend, while_away)
    relay.up()
    await _until(lambda: _status_in(directory, while_away) == JobStatus.FAILED, 30)

    assert directory.error == ""
    assert backend.requests_served(LISTING) == asked
    assert backend.requests_served(f"{API_PREFIX}/events") >= 2


async def _until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait on the event loop (the directory runs on it) until ``condition`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)
