"""Fixtures for tests against a real peer on loopback (``peer``: see ``testkit/fixtures.py``)."""

from collections.abc import AsyncIterator

import pytest

from services.client import AuroraClient
from testkit.app_process import free_port
from testkit.fixtures import serve_a_peer
from testkit.peer import Peer

peer_server = pytest.fixture(serve_a_peer, scope="package", name="peer_server")


@pytest.fixture
async def client(peer: Peer) -> AsyncIterator[AuroraClient]:
    """A client of the peer, closed after the test."""
    async with AuroraClient(peer.url) as client:
        yield client


@pytest.fixture
def unreachable_url() -> str:
    """A loopback URL nothing listens on (a port bound by us, then released)."""
    return f"http://127.0.0.1:{free_port()}"
