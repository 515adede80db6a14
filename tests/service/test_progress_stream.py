"""The progress stream against a real peer: events, misbehaviour, reconnecting, closing."""

import asyncio
import logging

import httpx
import pytest

from services.client import (
    AuroraClient,
    Backoff,
    ConnectionFailed,
    Done,
    ProgressStream,
    Reconnecting,
    ServerError,
    StreamEvent,
    Update,
)
from services.contract import GenerateRequest
from testkit.peer import (
    Drop,
    Pause,
    Peer,
    Reply,
    SendDone,
    SendError,
    SendEvent,
    SendUpdate,
    Silence,
    contract_run,
)

FAST = Backoff(base=0.01, cap=0.05)


async def collect(stream: ProgressStream, *, within: float = 5.0) -> list[StreamEvent]:
    """Every event until the stream stops by itself; fail if that takes longer than ``within``."""
    async with asyncio.timeout(within), stream:
        return [event async for event in stream]


def story(events: list[StreamEvent]) -> list[tuple[str, object]]:
    """The events in short, to compare whole sequences at a glance."""
    told: list[tuple[str, object]] = []
    for event in events:
        match event:
            case Update(progress=state):
                told.append(("update", state.progress))
            case Done(status=status):
                told.append(("done", status))
            case ServerError(message=message):
                told.append(("error", message))
            case Reconnecting(attempt=attempt, max_attempts=most):
                told.append(("reconnecting", f"{attempt}/{most}"))
            case ConnectionFailed(reason=reason):
                told.append(("failed", reason))
    return told


# what a well-behaved backend sends


@pytest.mark.parametrize("original_spec", [False, True], ids=["contract", "original-spec"])
async def test_a_job_streams_to_done(
    client: AuroraClient, peer: Peer, caplog: pytest.LogCaptureFixture, original_spec: bool
) -> None:
    peer.original_spec = original_spec
    peer.add_job(
        "fox",
        [
            SendUpdate(status="processing", progress=15, current_stage="script_complete"),
            SendError("Database busy"),
            SendUpdate(progress=40, current_stage="scene_1_complete"),
            SendUpdate(status="completed", progress=100, current_stage="complete"),
            SendDone("completed"),
        ],
    )
    stream = client.progress("fox", backoff=FAST)

    with caplog.at_level(logging.WARNING, logger="services.client.stream"):
        events = await collect(stream)

    assert story(events) == [
        ("update", 15),
        ("error", "Database busy"),
        ("update", 40),
        ("update", 100),
        ("done", "completed"),
    ]
    assert isinstance(events[2], Update)
    assert events[2].progress.current_stage == "scene_1_complete"
    assert stream.last_event_id == "5"
    assert caplog.records == []  # the opening retry: block is not an event to complain about


async def test_done_without_any_update(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("quick", [SendDone("failed")])

    assert story(await collect(client.progress("quick"))) == [("done", "failed")]


async def test_a_generated_job_plays_the_whole_contract_run(
    client: AuroraClient, peer: Peer
) -> None:
    """The peer's own realistic run, as browser tests will watch it."""
    peer.new_job_steps = contract_run(scenes=5)
    job = await client.generate(GenerateRequest(prompt="A fox", duration=30))

    events = await collect(client.progress(job.job_id))

    updates = [event.progress for event in events if isinstance(event, Update)]
    assert [state.progress for state in updates] == sorted(state.progress for state in updates)
    assert updates[-1].current_stage == "complete"
    assert len(updates[-1].stages_completed) == 5 + 3
    assert events[-1] == Done("completed")


async def test_cancelling_the_job_ends_its_stream_as_failed(
    client: AuroraClient, peer: Peer
) -> None:
    peer.add_job("run", status="processing", progress=40)
    async with client.progress("run") as stream:
        first = await anext(stream)

        await client.cancel("run")
        rest = [event async for event in stream]

    assert story([first, *rest]) == [("update", 40), ("update", 40), ("done", "failed")]
    assert isinstance(rest[0], Update)
    assert (rest[0].progress.status, rest[0].progress.error) == ("failed", "Cancelled by user")


@pytest.mark.parametrize("original_spec", [False, True], ids=["contract", "original-spec"])
async def test_the_original_spec_mode_leaves_the_extensions_out(
    peer: Peer, original_spec: bool
) -> None:
    """Read the peer's raw wire: browser tests rely on this switch."""
    peer.original_spec, peer.keepalive = original_spec, 0.05
    peer.add_job("j", [SendUpdate(error="Renderer crashed"), Pause(0.3), SendDone("failed")])

    async with httpx.AsyncClient(base_url=peer.url) as http:
        wire = (await http.get("/api/v1/jobs/j/progress", timeout=5)).text

    extensions = ["retry: 3000", ": keep-alive", "Renderer crashed"]
    assert [extension in wire for extension in extensions] == [not original_spec] * 3
    assert "event: done" in wire


# misbehaviour


async def test_malformed_and_unknown_events_are_logged_and_skipped(
    client: AuroraClient, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    peer.add_job(
        "odd",
        [
            SendEvent("update", "{not json"),
            SendEvent("update", '{"progress": "lots"}'),
            SendEvent("done", "[]"),
            SendEvent("celebrate", "{}"),
            SendUpdate(progress=150, stage_colour="purple"),
            SendDone(),
        ],
    )

    with caplog.at_level(logging.WARNING, logger="services.client.stream"):
        events = await collect(client.progress("odd"))

    assert story(events) == [("update", 150), ("done", "completed")]
    assert len(caplog.records) == 4
    assert "celebrate" in caplog.records[-1].getMessage()


async def test_last_event_id_is_sent_on_reconnect(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("j", [SendUpdate(progress=10), SendUpdate(progress=20), Drop(), SendDone()])

    events = await collect(client.progress("j", backoff=FAST))

    assert story(events) == [
        ("update", 10),
        ("update", 20),
        ("reconnecting", "1/3"),
        ("done", "completed"),
    ]
    assert peer.last_event_ids("j") == [None, "2"]


async def test_a_given_last_event_id_is_sent_on_the_first_connection(
    client: AuroraClient, peer: Peer
) -> None:
    peer.add_job("j", [SendDone()])

    await collect(client.progress("j", last_event_id="41"))

    assert peer.last_event_ids("j") == ["41"]


async def test_an_event_after_reconnecting_resets_the_attempts(
    client: AuroraClient, peer: Peer
) -> None:
    """Two drops, a recovery, three more drops: without the reset the third drop would be fatal."""
    peer.add_job(
        "flaky",
        [
            *(SendUpdate(progress=10), Drop(), Drop()),
            *(SendUpdate(progress=20), Drop(), Drop(), Drop()),
            *(SendUpdate(progress=30), SendDone()),
        ],
    )

    events = await collect(client.progress("flaky", backoff=FAST))

    assert story(events) == [
        ("update", 10),
        ("reconnecting", "1/3"),
        ("reconnecting", "2/3"),
        ("update", 20),
        ("reconnecting", "1/3"),
        ("reconnecting", "2/3"),
        ("reconnecting", "3/3"),
        ("update", 30),
        ("done", "completed"),
    ]


async def test_three_failed_attempts_end_the_stream(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("gone", [SendUpdate(progress=10), Drop(), Drop(), Drop(), Drop()])

    events = await collect(client.progress("gone", backoff=FAST))

    assert story(events) == [
        ("update", 10),
        ("reconnecting", "1/3"),
        ("reconnecting", "2/3"),
        ("reconnecting", "3/3"),
        ("failed", "The progress stream ended before the job did"),
    ]
    assert peer.jobs["gone"].streams_opened == 4


async def test_an_unreachable_backend_fails_after_the_attempts(unreachable_url: str) -> None:
    url = unreachable_url
    async with AuroraClient(url) as client:
        events = await collect(client.progress("j", max_attempts=2, backoff=FAST))

    assert story(events) == [
        ("reconnecting", "1/2"),
        ("reconnecting", "2/2"),
        ("failed", f"Cannot reach the backend at {url}"),
    ]


async def test_a_busy_backend_is_tried_again(client: AuroraClient, peer: Peer) -> None:
    peer.queue_reply("progress", Reply.overloaded(status=503))
    peer.add_job("j", [SendDone()])

    events = await collect(client.progress("j", backoff=FAST))

    assert events == [
        Reconnecting(1, 3, "The backend is busy; try again in a moment"),
        Done("completed"),
    ]


async def test_an_unknown_job_fails_at_once(client: AuroraClient, peer: Peer) -> None:
    events = await collect(client.progress("ghost", backoff=FAST))

    assert events == [ConnectionFailed("Job ghost not found", 404)]
    assert len(peer.requests) == 1


async def test_a_refusal_fails_at_once(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("j")
    peer.queue_reply("progress", Reply(401, {"detail": "Not authenticated"}))

    events = await collect(client.progress("j", backoff=FAST))

    assert events == [ConnectionFailed("The backend refused the request (401): Not authenticated",
                                       401)]


async def test_silence_past_the_read_timeout_reconnects(client: AuroraClient, peer: Peer) -> None:
    peer.add_job(
        "mute", [SendUpdate(progress=10), Silence(60), SendUpdate(progress=50), SendDone()]
    )

    events = await collect(client.progress("mute", read_timeout=0.3, backoff=FAST))

    assert story(events) == [
        ("update", 10),
        ("reconnecting", "1/3"),
        ("update", 50),
        ("done", "completed"),
    ]
    assert isinstance(events[1], Reconnecting)
    assert "did not answer in time" in events[1].reason


async def test_keep_alives_keep_a_quiet_stream_alive(client: AuroraClient, peer: Peer) -> None:
    """Twice the read timeout without an event, but a keep-alive every 0.05 s: no reconnect."""
    peer.keepalive = 0.05
    peer.add_job("calm", [SendUpdate(progress=10), Pause(1.0), SendDone()])

    events = await collect(client.progress("calm", read_timeout=0.5, backoff=FAST))

    assert story(events) == [("update", 10), ("done", "completed")]
    assert peer.jobs["calm"].streams_opened == 1


async def test_the_servers_retry_is_a_lower_bound_on_the_wait(
    client: AuroraClient, peer: Peer
) -> None:
    peer.retry_ms = 400
    peer.add_job("j", [SendUpdate(progress=10), Drop(), SendDone()])
    loop = asyncio.get_running_loop()

    async with asyncio.timeout(5), client.progress("j", backoff=Backoff(base=0.01)) as stream:
        arrivals = [(event, loop.time()) async for event in stream]

    assert story([event for event, _ in arrivals]) == [
        ("update", 10),
        ("reconnecting", "1/3"),
        ("done", "completed"),
    ]
    (_, asked), (_, answered) = arrivals[1:]
    assert answered - asked >= 0.4


def test_backoff_doubles_up_to_its_cap_and_takes_the_servers_hint() -> None:
    backoff = Backoff()

    assert [backoff.delay(attempt) for attempt in (1, 2, 3, 4, 5, 6)] == [0.5, 1, 2, 4, 8, 8]
    assert backoff.delay(1, server_hint=3.0) == 3.0
    assert backoff.delay(4, server_hint=3.0) == 4.0
    assert backoff.delay(1, server_hint=3600.0) == 8.0


# closing: the server must see the disconnect


async def test_aclose_closes_the_connection_before_it_returns(
    client: AuroraClient, peer: Peer
) -> None:
    """The wait blocks our event loop, so nothing left for later (a finalizer) can close it."""
    job = peer.add_job("j")
    stream = client.progress("j")
    await anext(stream)
    assert job.open_streams == 1

    await stream.aclose()

    peer.wait_until(lambda: job.open_streams == 0, within=2)


async def test_leaving_async_with_closes_the_connection(client: AuroraClient, peer: Peer) -> None:
    job = peer.add_job("j")
    async with client.progress("j") as stream:
        await anext(stream)
        assert job.open_streams == 1

    await peer.wait_for(lambda: job.open_streams == 0)


async def test_cancelling_the_reading_task_closes_the_connection(
    client: AuroraClient, peer: Peer
) -> None:
    job = peer.add_job("j")
    first_update = asyncio.Event()

    async def follow() -> None:
        async with client.progress("j") as stream:
            async for _ in stream:
                first_update.set()

    reader = asyncio.create_task(follow())
    async with asyncio.timeout(5):
        await first_update.wait()
    assert job.open_streams == 1

    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader

    await peer.wait_for(lambda: job.open_streams == 0)
