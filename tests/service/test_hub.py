"""The job hub against a real peer: one upstream connection per job, shared models, the grace."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from services.client import AuroraClient, InvalidJobId
from services.dashboard.endings import JobEnded
from services.dashboard.hub import JobHub
from services.dashboard.progress_model import Phase
from testkit.peer import Job, Peer, Reply, SendDone, SendUpdate

GRACE = 0.3
KEEP_ENDED = 0.6


@pytest.fixture
async def hub(client: AuroraClient) -> AsyncIterator[JobHub]:
    """A hub with short timings, closed after the test."""
    hub = JobHub(client, grace_seconds=GRACE, keep_ended_seconds=KEEP_ENDED)
    yield hub
    await hub.aclose()


def running(peer: Peer, job_id: str = "fox") -> Job:
    """A job at 40 % that runs until cancelled: each stream sends its state, then keep-alives."""
    return peer.add_job(
        job_id, status="processing", progress=40, current_stage_display="Generating scene 2"
    )


def finishing(peer: Peer, job_id: str = "fox") -> Job:
    """A job whose stream shows it running, then completed, at once."""
    return peer.add_job(
        job_id,
        [
            SendUpdate(status="processing", progress=50),
            SendUpdate(status="completed", progress=100),
            SendDone("completed"),
        ],
    )


async def outlast(seconds: float) -> None:
    """Let a hub timer of ``seconds``, set before this call, fire.

    Not a race: timers on one event loop fire in deadline order, and this one is set later.
    """
    await asyncio.sleep(seconds + 0.02)


async def test_eight_watchers_share_one_connection_and_a_ninth_is_in_sync_at_once(
    hub: JobHub, peer: Peer
) -> None:
    job = running(peer)

    watches = [hub.watch("fox") for _ in range(8)]
    model = watches[0].model
    await peer.wait_for(lambda: model.phase == Phase.LIVE)

    assert all(watch.model is model for watch in watches)
    assert (model.percent, model.stage_text) == (40, "Generating scene 2")
    assert (job.open_streams, job.streams_opened, hub.open_streams) == (1, 1, 1)

    ninth = hub.watch("fox")

    assert ninth.model is model
    assert (ninth.model.phase, ninth.model.percent) == (Phase.LIVE, 40)
    assert (job.open_streams, job.streams_opened) == (1, 1)


async def test_the_stream_stops_a_grace_after_the_last_release_and_not_before(
    hub: JobHub, peer: Peer
) -> None:
    job = running(peer)
    watches = [hub.watch("fox") for _ in range(3)]
    await peer.wait_for(lambda: job.open_streams == 1)

    for _ in range(3):
        watches[0].release()  # only the first release of a watch counts
    watches[1].release()
    await outlast(GRACE)
    assert (job.open_streams, hub.open_streams) == (1, 1)

    released = time.monotonic()
    watches[2].release()
    await peer.wait_for(lambda: job.open_streams == 0, within=GRACE + 3)

    assert time.monotonic() - released >= GRACE
    await peer.wait_for(lambda: hub.open_streams == 0)
    assert job.streams_opened == 1


async def test_a_watch_within_the_grace_keeps_the_same_stream_and_model(
    hub: JobHub, peer: Peer
) -> None:
    job = running(peer)
    first = hub.watch("fox")
    await peer.wait_for(lambda: first.model.phase == Phase.LIVE)

    first.release()
    again = hub.watch("fox")  # a reload: the new tab's watch comes before the grace is over
    await outlast(GRACE)

    assert again.model is first.model
    assert hub.watch("fox").model is first.model
    assert (job.open_streams, job.streams_opened, hub.open_streams) == (1, 1, 1)
    assert peer.last_event_ids("fox") == [None]  # no reconnection either


async def test_an_ending_is_announced_once_to_each_listener(hub: JobHub, peer: Peer) -> None:
    finishing(peer)
    heard: dict[str, list[JobEnded]] = {"toasts": [], "log": [], "gone": []}
    hub.on_job_ended(heard["toasts"].append)
    hub.endings.subscribe(heard["log"].append)
    hub.on_job_ended(heard["gone"].append)()  # unsubscribed at once

    watches = [hub.watch("fox") for _ in range(3)]
    await peer.wait_for(lambda: watches[0].model.ended)
    hub.endings.announce(JobEnded("fox", "completed"))  # a second sighting stays silent

    ending = JobEnded("fox", "completed")
    assert heard == {"toasts": [ending], "log": [ending], "gone": []}
    assert ending.completed


async def test_a_cancelled_job_is_announced_as_failed_with_the_reason(
    hub: JobHub, peer: Peer, client: AuroraClient
) -> None:
    running(peer)
    heard: list[JobEnded] = []
    hub.on_job_ended(heard.append)
    watch = hub.watch("fox")
    await peer.wait_for(lambda: watch.model.phase == Phase.LIVE)

    await client.cancel("fox")
    await peer.wait_for(lambda: watch.model.ended)

    assert heard == [JobEnded("fox", "failed", error="Cancelled by user")]
    assert not heard[0].completed


async def test_a_job_that_had_ended_before_it_was_watched_is_not_announced(
    hub: JobHub, peer: Peer
) -> None:
    peer.add_job("old", status="completed", progress=100)
    heard: list[JobEnded] = []
    hub.on_job_ended(heard.append)

    watch = hub.watch("old")
    await peer.wait_for(lambda: watch.model.ended)

    assert watch.model.phase == Phase.COMPLETED
    assert heard == []


async def test_an_ended_job_stays_cached_then_is_forgotten(hub: JobHub, peer: Peer) -> None:
    job = finishing(peer)
    heard: list[JobEnded] = []
    hub.on_job_ended(heard.append)
    first = hub.watch("fox")
    await peer.wait_for(lambda: first.model.ended)
    first.release()

    await outlast(GRACE)
    cached = hub.watch("fox")

    assert cached.model is first.model
    assert (cached.model.phase, cached.model.percent) == (Phase.COMPLETED, 100)
    assert (job.streams_opened, hub.open_streams) == (1, 0)

    cached.release()
    await outlast(KEEP_ENDED)
    fresh = hub.watch("fox")

    assert fresh.model is not first.model
    await peer.wait_for(lambda: fresh.model.ended)
    assert job.streams_opened == 2
    assert len(heard) == 1


async def test_a_job_that_ends_during_the_grace_stays_cached(
    client: AuroraClient, peer: Peer
) -> None:
    """The grace here is long enough for the cancel's round trip to end the job within it."""
    grace = 1.0
    job = running(peer)
    async with aclosing(JobHub(client, grace_seconds=grace, keep_ended_seconds=3)) as hub:
        watch = hub.watch("fox")
        await peer.wait_for(lambda: watch.model.phase == Phase.LIVE)
        watch.release()

        await client.cancel("fox")
        await peer.wait_for(lambda: watch.model.ended)
        await outlast(grace)

        assert hub.watch("fox").model is watch.model
        assert job.streams_opened == 1


async def test_retry_reconnects_a_stream_that_gave_up(hub: JobHub, peer: Peer) -> None:
    job = running(peer)
    for _ in range(2):
        peer.queue_reply("progress", Reply(404, {"detail": "Job not found"}))
    watch = hub.watch("fox")
    await peer.wait_for(lambda: watch.model.phase == Phase.CONNECTION_FAILED)
    assert hub.open_streams == 0

    hub.watch("fox")  # a new viewer tries again by itself
    await peer.wait_for(lambda: len(peer.last_event_ids("fox")) == 2)
    await peer.wait_for(lambda: watch.model.phase == Phase.CONNECTION_FAILED)

    hub.retry("fox")
    hub.retry("unwatched")  # nothing to retry: ignored
    await peer.wait_for(lambda: watch.model.phase == Phase.LIVE)

    assert (job.open_streams, hub.open_streams) == (1, 1)
    assert peer.last_event_ids("unwatched") == []


async def test_a_bad_job_id_is_refused_before_anything_starts(hub: JobHub, peer: Peer) -> None:
    with pytest.raises(InvalidJobId):
        hub.watch("../admin")

    assert hub.open_streams == 0
    assert peer.requests == []


async def test_aclose_closes_every_stream(client: AuroraClient, peer: Peer) -> None:
    jobs = [running(peer, "fox"), running(peer, "owl")]
    hub = JobHub(client, grace_seconds=GRACE)
    watches = [hub.watch("fox"), hub.watch("owl")]
    await peer.wait_for(lambda: all(job.open_streams == 1 for job in jobs))

    await hub.aclose()

    assert hub.open_streams == 0
    await peer.wait_for(lambda: all(job.open_streams == 0 for job in jobs))
    for watch in watches:
        watch.release()  # a tab deleted after shutdown: harmless
    assert hub.open_streams == 0


async def test_the_grace_is_at_most_ten_seconds(client: AuroraClient) -> None:
    with pytest.raises(ValueError, match="grace_seconds"):
        JobHub(client, grace_seconds=11)
