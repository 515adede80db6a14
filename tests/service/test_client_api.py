"""AuroraClient's calls against a real peer on loopback: answers, refusals, and what was sent."""

import asyncio
import email.utils
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.client import (
    AuroraClient,
    BackendFailure,
    BackendUnavailable,
    CancelNotSupported,
    InvalidJobId,
    JobAlreadyEnded,
    JobNotFound,
    Overloaded,
    RequestRejected,
    ValidationRejected,
)
from services.contract import GenerateRequest
from testkit.peer import Peer, Reply

FOX = GenerateRequest(prompt="  A fox runs through a snowy forest at dawn ", duration=30)


# generate


async def test_generate_starts_a_job_on_the_backend(client: AuroraClient, peer: Peer) -> None:
    answer = await client.generate(FOX)

    assert answer.status == "pending"
    job = peer.jobs[answer.job_id]
    assert job.state["prompt"] == "A fox runs through a snowy forest at dawn"
    assert job.state["duration"] == 30


async def test_generate_accepts_a_200_as_well_as_a_202(client: AuroraClient, peer: Peer) -> None:
    peer.queue_reply("generate", Reply(200, {"job_id": "abc", "status": "pending", "eta": 3}))

    answer = await client.generate(FOX)

    assert answer.job_id == "abc"


async def test_a_real_fastapi_422_names_the_field(client: AuroraClient) -> None:
    """The peer validates with FastAPI, so this is the body FastAPI really sends."""
    off_contract = GenerateRequest.model_construct(
        prompt="A fox", duration=45, aspect_ratio="16:9", style=""
    )

    with pytest.raises(ValidationRejected) as caught:
        await client.generate(off_contract)

    assert caught.value.status_code == 422
    assert caught.value.field == "duration"
    assert str(caught.value).startswith("Invalid duration: ")


async def test_a_validator_message_reads_without_its_prefix(
    client: AuroraClient, peer: Peer
) -> None:
    peer.queue_reply("generate", Reply.invalid("prompt", "Value error, prompt is too long"))

    with pytest.raises(ValidationRejected) as caught:
        await client.generate(FOX)

    assert str(caught.value) == "Invalid prompt: prompt is too long"


async def test_a_plain_422_detail_is_the_reason(client: AuroraClient, peer: Peer) -> None:
    peer.queue_reply("generate", Reply(422, {"detail": "Prompt refused by moderation"}))

    with pytest.raises(ValidationRejected) as caught:
        await client.generate(FOX)

    assert caught.value.field is None
    assert str(caught.value) == "Invalid request: Prompt refused by moderation"


async def test_a_429_with_retry_after_seconds_says_when(client: AuroraClient, peer: Peer) -> None:
    peer.queue_reply("generate", Reply.overloaded(7))

    with pytest.raises(Overloaded, match=r"^The backend is busy; try again in 7 s$") as caught:
        await client.generate(FOX)

    assert (caught.value.status_code, caught.value.retry_after) == (429, 7.0)


async def test_a_retry_after_date_becomes_seconds(client: AuroraClient, peer: Peer) -> None:
    in_30_seconds = email.utils.formatdate(time.time() + 30, usegmt=True)
    peer.queue_reply("generate", Reply(503, headers={"Retry-After": in_30_seconds}))

    with pytest.raises(Overloaded) as caught:
        await client.generate(FOX)

    assert caught.value.retry_after is not None
    assert 20 <= caught.value.retry_after <= 30


@pytest.mark.parametrize(
    "reply",
    [Reply.overloaded(None, status=503), Reply(429, headers={"Retry-After": "soon"})],
    ids=["503-without-hint", "429-unreadable-hint"],
)
async def test_an_overload_without_a_usable_hint(
    client: AuroraClient, peer: Peer, reply: Reply
) -> None:
    peer.queue_reply("generate", reply)

    with pytest.raises(Overloaded, match=r"^The backend is busy; try again in a moment$") as caught:
        await client.generate(FOX)

    assert caught.value.retry_after is None


async def test_a_500_is_a_backend_failure(client: AuroraClient, peer: Peer) -> None:
    peer.queue_reply("generate", Reply(500, {"detail": "Renderer crashed"}))

    with pytest.raises(BackendFailure) as caught:
        await client.generate(FOX)

    assert caught.value.status_code == 500
    assert str(caught.value) == "The backend failed (500): Renderer crashed"


async def test_another_4xx_is_a_rejection_with_the_backends_words(
    client: AuroraClient, peer: Peer
) -> None:
    peer.queue_reply("generate", Reply(403, {"detail": "Quota used up"}))

    with pytest.raises(RequestRejected) as caught:
        await client.generate(FOX)

    assert type(caught.value) is RequestRejected
    assert (caught.value.status_code, caught.value.detail) == (403, "Quota used up")


async def test_an_answer_off_the_contract_is_a_backend_failure(
    client: AuroraClient, peer: Peer
) -> None:
    peer.queue_reply("generate", Reply(202, {"id": "abc"}))

    with pytest.raises(BackendFailure, match="does not keep the contract"):
        await client.generate(FOX)


async def test_an_unreachable_backend_is_unavailable(unreachable_url: str) -> None:
    async with AuroraClient(unreachable_url) as client:
        with pytest.raises(BackendUnavailable) as caught:
            await client.generate(FOX)

    assert str(caught.value) == f"Cannot reach the backend at {unreachable_url}"


async def test_a_slow_backend_is_unavailable(peer: Peer) -> None:
    peer.queue_reply("jobs", Reply(200, {"jobs": [], "total": 0}, delay=2))

    async with AuroraClient(peer.url, timeout=0.2) as client:
        with pytest.raises(BackendUnavailable, match="did not answer in time"):
            await client.list_jobs()


# token


async def test_the_token_goes_with_every_request(peer: Peer) -> None:
    peer.add_job("done-job", status="completed")

    async with AuroraClient(peer.url, token="s3cret") as client:
        await client.list_jobs()
        async with client.progress("done-job") as stream:
            async for _ in stream:
                pass

    assert [seen.authorization for seen in peer.requests] == ["Bearer s3cret"] * 2


async def test_without_a_token_no_authorization_is_sent(client: AuroraClient, peer: Peer) -> None:
    await client.list_jobs()

    assert peer.requests[0].authorization is None


# list, get, cancel


async def test_list_jobs_filters_and_pages_newest_first(client: AuroraClient, peer: Peer) -> None:
    for name in ("a", "b", "c", "d"):
        peer.add_job(name, status="completed" if name != "c" else "processing")

    completed = await client.list_jobs(status="completed", limit=2, offset=1)

    assert completed.total == 3
    assert [job.job_id for job in completed.jobs] == ["b", "a"]


async def test_get_job_returns_the_detail(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("j-1", script=["Dawn", "Fox"], progress=40, status="processing")

    job = await client.get_job("j-1")

    assert (job.job_id, job.progress, job.script) == ("j-1", 40, ["Dawn", "Fox"])


async def test_an_unknown_job_is_not_found(client: AuroraClient) -> None:
    with pytest.raises(JobNotFound, match=r"^Job ghost not found$") as caught:
        await client.get_job("ghost")

    assert caught.value.job_id == "ghost"


async def test_cancel_stops_a_running_job(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("run", status="processing")

    answer = await client.cancel("run")

    assert answer.status == "failed"
    assert peer.jobs["run"].state["error"] == "Cancelled by user"


async def test_cancelling_an_ended_job_says_so(client: AuroraClient, peer: Peer) -> None:
    peer.add_job("old", status="completed")

    with pytest.raises(JobAlreadyEnded, match=r"^Job old has already ended$"):
        await client.cancel("old")


async def test_cancel_on_an_original_spec_backend_is_not_supported(
    client: AuroraClient, peer: Peer
) -> None:
    peer.original_spec = True
    peer.add_job("run", status="processing")

    with pytest.raises(CancelNotSupported, match=r"^This backend cannot cancel jobs$"):
        await client.cancel("run")


async def test_cancelling_an_unknown_job_is_not_found(client: AuroraClient) -> None:
    with pytest.raises(JobNotFound):
        await client.cancel("ghost")


# job ids


BAD_IDS = ["", "../etc/passwd", "a/b", "job?x=1", "job#1", "x" * 65, "ünïcode", "a b"]


@pytest.mark.parametrize("job_id", BAD_IDS)
async def test_a_bad_job_id_is_refused_before_any_request(
    client: AuroraClient, peer: Peer, job_id: str
) -> None:
    with pytest.raises(InvalidJobId, match="is not a valid job id"):
        await client.get_job(job_id)
    with pytest.raises(InvalidJobId):
        await client.cancel(job_id)
    with pytest.raises(InvalidJobId):
        client.progress(job_id)

    assert peer.requests == []


# asset URLs


BASE = "http://backend.test:8080/aurora"


@pytest.fixture(scope="module")
def assets() -> Iterator[AuroraClient]:
    """A client that never connects: asset_url is pure."""
    client = AuroraClient(BASE)
    yield client
    asyncio.run(client.aclose())


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("/media/a.mp4", "http://backend.test:8080/media/a.mp4"),
        ("media/a.mp4", f"{BASE}/media/a.mp4"),
        ("https://cdn.test/a.mp4?sig=1", "https://cdn.test/a.mp4?sig=1"),
        ("HTTP://cdn.test/a.mp4", "http://cdn.test/a.mp4"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("ftp://cdn.test/a.mp4", None),
        ("", None),
        ("   ", None),
        ("http://[::1", None),
    ],
)
def test_asset_url_absolutizes_http_and_drops_other_schemes(
    assets: AuroraClient, given_url: str, expected: str | None
) -> None:
    assert assets.asset_url(given_url) == expected


@given(url=st.text())
def test_asset_url_is_http_or_nothing(assets: AuroraClient, url: str) -> None:
    result = assets.asset_url(url)

    assert result is None or result.startswith(("http://", "https://"))
