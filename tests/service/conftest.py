"""Fixtures for tests against a real peer on loopback: one server a session, a fresh peer a test."""

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from services.client import AuroraClient
from tests.peer import Peer, PeerServer


@pytest.fixture(scope="session")
def peer_server() -> Iterator[PeerServer]:
    """The peer server, started once for the session."""
    with PeerServer() as server:
        yield server


@pytest.fixture
def peer(peer_server: PeerServer) -> Peer:
    """A fresh peer: no jobs, nothing recorded, contract settings."""
    return peer_server.new_peer()


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
