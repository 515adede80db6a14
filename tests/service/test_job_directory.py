"""The job directory against a real peer: one poller while listened to; changes, endings."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from services.client import AuroraClient
from services.contract import GenerateRequest, JobList
from services.dashboard.directory import JobDirectory
from services.dashboard.endings import Endings, JobEnded
from services.dashboard.hub import JobHub
from services.dashboard.progress_model import Phase
from testkit.peer import Peer, Reply, SendEvent, SendUpdate, Step

INTERVAL = 0.05
PROMPT = "A fox runs through a snowy forest at dawn"  # the peer's default prompt


@pytest.fixture
async def directory(client: AuroraClient) -> AsyncIterator[JobDirectory]:
    """A directory polling every ``INTERVAL`` seconds, closed after the test."""
    async with aclosing(JobDirectory(client, Endings(), interval=INTERVAL)) as directory:
        yield directory


def list_requests(peer: Peer) -> int:
    """How many times the peer has been asked for the job list."""
    return sum(seen.path == "/api/v1/jobs" for seen in peer.requests)


def status_of(directory: JobDirectory, job_id: str) -> str | None:
    """The job's status in the directory's latest list (None when not listed)."""
    jobs = directory.latest.jobs if directory.latest else []
    return next((job.status for job in jobs if job.job_id == job_id), None)


async def several_polls() -> None:
    """Time for a few polls, to show that something did not happen (or happened only once)."""
    await asyncio.sleep(INTERVAL * 5)


async def test_it_polls_only_while_someone_listens(directory: JobDirectory, peer: Peer) -> None:
    await several_polls()
    assert (list_requests(peer), directory.following) == (0, False)

    stop_toasts = directory.on_job_ended(lambda ending: None)
    assert directory.following
    await peer.wait_for(lambda: list_requests(peer) >= 3)

    asked: list[int] = []

    def last_one_leaves(jobs: JobList) -> None:
        """Stop listening right after a poll, so no request can still be on its way."""
        stop_toasts()
        stop_changes()
        asked.append(list_requests(peer))

    stop_changes = directory.on_change(last_one_leaves)
    peer.add_job("new")  # a change, so the listener is called after the next poll
    await peer.wait_for(lambda: bool(asked))

    assert not directory.following
    await several_polls()
    assert list_requests(peer) == asked[0]
    assert directory.latest is None  # nobody listens: nothing stale is kept


async def test_a_job_started_by_another_client_appears_by_itself(
    directory: JobDirectory, peer: Peer
) -> None:
    lists: list[JobList] = []
    directory.on_change(lists.append)
    await peer.wait_for(lambda: len(lists) == 1)
    assert lists[0].jobs == []

    async with AuroraClient(peer.url) as other:
        job = await other.generate(GenerateRequest(prompt="An owl at dusk", duration=15))
    await peer.wait_for(lambda: len(lists) == 2)

    assert [(summary.job_id, summary.prompt) for summary in lists[1].jobs] == [
        (job.job_id, "An owl at dusk")
    ]
    assert directory.latest == lists[1]
    await several_polls()
    assert len(lists) == 2  # polls that find nothing new tell nobody


async def test_an_ending_no_watch_followed_is_announced_once_to_each_listener(
    directory: JobDirectory, peer: Peer, client: AuroraClient
) -> None:
    peer.add_job("run", status="processing", progress=40)
    peer.add_job("old", status="completed", progress=100)
    lists: list[JobList] = []
    first: list[JobEnded] = []
    second: list[JobEnded] = []
    directory.on_change(lists.append)
    directory.on_job_ended(first.append)
    directory.on_job_ended(second.append)
    await peer.wait_for(lambda: status_of(directory, "run") == "processing")

    await client.cancel("run")
    await peer.wait_for(lambda: bool(first))
    await several_polls()

    ending = JobEnded("run", "failed", PROMPT, "Cancelled by user")
    assert first == second == [ending]  # "old" was never seen running: no toast for it
    assert [status_of(directory, job_id) for job_id in ("run", "old")] == ["failed", "completed"]
    assert len(lists) == 2


async def test_a_job_retried_after_its_end_is_announced_again_when_it_ends_again(
    directory: JobDirectory, peer: Peer, client: AuroraClient
) -> None:
    peer.add_job("run", status="processing", progress=40)
    endings: list[JobEnded] = []
    directory.on_job_ended(endings.append)
    await peer.wait_for(lambda: status_of(directory, "run") == "processing")
    await client.cancel("run")
    await peer.wait_for(lambda: len(endings) == 1)

    peer.jobs["run"].state.update(status="processing", error=None)  # retried by another client
    await peer.wait_for(lambda: status_of(directory, "run") == "processing")
    peer.jobs["run"].state.update(status="completed", progress=100)
    await peer.wait_for(lambda: len(endings) == 2)
    await several_polls()
    assert [ending.status for ending in endings] == ["failed", "completed"]


@pytest.mark.parametrize("first_to_see", ["hub", "directory"])
async def test_an_ending_seen_by_both_hub_and_directory_is_announced_once(
    client: AuroraClient, peer: Peer, first_to_see: str
) -> None:
    """The order is forced: the peer's stream and its list can be made to disagree.

    Hub first: the stream sends a raw ``done`` that leaves the listed status alone, and the
    list says so later. Directory first: the listed status changes while the stream stays quiet,
    and the stream ends later.
    """
    steps: list[Step] = [SendUpdate(status="processing", progress=40)]
    if first_to_see == "hub":
        steps.append(SendEvent("done", json.dumps({"status": "completed"})))
    job = peer.add_job("fox", steps, status="processing")
    hub = JobHub(client, grace_seconds=0.3)
    directory = JobDirectory(client, hub.endings, interval=INTERVAL)
    heard: dict[str, list[JobEnded]] = {"hub": [], "directory": []}
    hub.on_job_ended(heard["hub"].append)
    directory.on_job_ended(heard["directory"].append)
    async with aclosing(hub), aclosing(directory):
        await peer.wait_for(lambda: status_of(directory, "fox") == "processing")
        watch = hub.watch("fox")
        if first_to_see == "hub":
            await peer.wait_for(lambda: watch.model.ended)
            job.state["status"] = "completed"
            await peer.wait_for(lambda: status_of(directory, "fox") == "completed")
        else:
            await peer.wait_for(lambda: watch.model.phase == Phase.LIVE)
            job.state["status"] = "completed"
            await peer.wait_for(lambda: status_of(directory, "fox") == "completed")
            assert not watch.model.ended
            job.cancelled = True  # ends the stream's wait: it sends the state, then done
            await peer.wait_for(lambda: watch.model.ended)
        await several_polls()

    prompt = PROMPT if first_to_see == "directory" else None
    ending = JobEnded("fox", "completed", prompt)
    assert heard == {"hub": [ending], "directory": [ending]}


async def test_an_outage_keeps_the_last_list_says_why_and_recovers(
    directory: JobDirectory, peer: Peer
) -> None:
    peer.add_job("fox")
    lists: list[JobList] = []
    directory.on_change(lists.append)
    await peer.wait_for(lambda: len(lists) == 1)

    peer.queue_reply("jobs", Reply(500, {"detail": "Database locked"}))
    await peer.wait_for(lambda: directory.error != "")

    assert directory.error == "The backend failed (500): Database locked"
    assert directory.latest == lists[0]
    await peer.wait_for(lambda: directory.error == "")
    assert len(lists) == 1  # the same list came back: nothing to redraw


async def test_an_unreachable_backend_is_an_error_text_not_a_crash(
    unreachable_url: str, peer: Peer
) -> None:
    async with AuroraClient(unreachable_url) as client:
        directory = JobDirectory(client, Endings(), interval=INTERVAL)
        async with aclosing(directory):
            directory.on_change(lambda jobs: None)
            await peer.wait_for(lambda: directory.error != "")  # the peer only keeps time here

            assert directory.error.startswith("Cannot reach the backend")
            assert (directory.latest, directory.following) == (None, True)
