"""Fixtures for tests against a real peer on loopback (``peer``: see ``tests/conftest.py``)."""

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from services.client import AuroraClient
from tests.peer import Peer, PeerServer


@pytest.fixture(scope="package")
def peer_server() -> Iterator[PeerServer]:
    """A peer server of these tests' own, which no dashboard process is pointed at.

    The session's dashboards (``tests/faults``, ``tests/ui``) live on after their tests, and a
    page of theirs that is still closing watches whatever the peer of the moment lists as
    running; on a shared server that would count as a second connection to this test's job.
    """
    with PeerServer() as server:
        yield server


@pytest.fixture
async def client(peer: Peer) -> AsyncIterator[AuroraClient]:
    """A client of the peer, closed after the test."""
    async with AuroraClient(peer.url) as client:
        yield client


@pytest.fixture
def unreachable_url() -> str:
    """A loopback URL nothing listens on (a port bound by us, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"
