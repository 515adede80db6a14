"""A ``/jobs`` tab's pages against a real peer: what it lists is the newest answer's."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from services.client import AuroraClient
from services.dashboard.directory import JobDirectory
from services.dashboard.endings import Endings
from services.dashboard.job_pages import JobPages
from testkit.peer import Peer, Reply


@pytest.fixture
async def pages(client: AuroraClient) -> AsyncIterator[JobPages]:
    """The pages of a tab whose directory nobody follows (so they ask the backend)."""
    async with aclosing(JobDirectory(client, Endings())) as directory:
        yield JobPages(client, directory)


async def test_a_listing_answered_late_does_not_replace_a_newer_one(
        pages: JobPages, peer: Peer) -> None:
    older = peer.add_job("older")
    stale = {"jobs": [older.state], "total": 1}
    peer.queue_reply("jobs", Reply(200, stale, delay=0.5))  # the first read's answer lags
    first = asyncio.create_task(pages.refresh())
    await peer.wait_for(lambda: any(seen.path == "/api/v1/jobs" for seen in peer.requests))
    peer.add_job("newer")

    await pages.refresh()  # read after the job was added, answered at once
    await first

    assert [job.job_id for job in pages.jobs] == ["newer", "older"]
    assert pages.count(None) == 2
