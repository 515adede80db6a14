"""The fixtures every test package shares, as a pytest plugin (``pytest_plugins`` in
``tests/conftest.py``): the real dashboard, the contract peer, Debian's Chromium, a data dir,
Debian's Redis and PostgreSQL, a real S3 store, a whole cluster of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.app_process import AppProcess
from testkit.cluster import Cluster, running_cluster
from testkit.peer import Peer, PeerServer
from testkit.postgres_server import PostgresServer
from testkit.redis_server import RedisServer
from testkit.s3_server import S3Server


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """One dashboard with the embedded backend for the whole session (a fresh data dir)."""
    app = AppProcess(tmp_path_factory.mktemp("app") / "data").start()
    yield app
    app.stop()


def serve_a_peer() -> Iterator[PeerServer]:
    """A contract peer server (``testkit/peer``): each package that uses one has its own
    package-scoped ``peer_server`` made of this.

    A package's dashboard lives on after its tests, and a page of it that is still closing
    watches whatever the peer of the moment lists as running; on a server shared with another
    package, that would count as one more connection to a job of that package's tests.
    """
    with PeerServer() as server:
        yield server


@pytest.fixture
def peer(peer_server: PeerServer) -> Peer:
    """A fresh peer for this test: no jobs, nothing recorded, contract settings."""
    return peer_server.new_peer()


def run_a_browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser): each
    package of browser tests has its own package-scoped ``browser`` made of this (its start
    costs about a second; each test still gets fresh contexts).

    One a package, not a session: Playwright's sync API keeps an event loop running while it
    is open, and pytest-asyncio cannot start its own in a later package (``tests/service``).
    """
    from playwright.sync_api import sync_playwright

    from testkit.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One ``redis-server`` for the whole session; tests that stop it start their own."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test (FLUSHALL): nothing left from another."""
    with redis_server.client() as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` of this test's own, for tests that stop or restart it."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def fresh_data_dir(tmp_path: Path) -> Path:
    """A data dir of the test's own."""
    return tmp_path / "data"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL for the session, started when a test first needs it."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A database of the test's own on the session's server, so no test sees another's rows."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible store (SeaweedFS) for the whole session."""
    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    yield server
    server.stop()


@pytest.fixture
def media_url() -> str:
    """A bucket of the test's own, not made yet: the backend creates it at start-up."""
    return f"s3://aurora-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def cluster_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The Redis of the session's cluster, its own, for the tests that restart it."""
    with RedisServer(tmp_path_factory.mktemp("cluster-redis")) as server:
        yield server


@pytest.fixture(scope="session")
def full_size_cluster(postgres_server: PostgresServer, s3_server: S3Server,
                      cluster_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[Cluster]:
    """One cluster at full picture size for the session (its start costs seconds), with a
    Redis and a database of its own."""
    database_url = postgres_server.new_database()
    with running_cluster(tmp_path_factory.mktemp("cluster"), database_url=database_url,
                         redis_url=cluster_redis.url, s3=s3_server,
                         render_size="full") as started:
        yield started
    postgres_server.drop_database(database_url)


@pytest.fixture
def cluster(full_size_cluster: Cluster) -> Cluster:
    """The session's cluster with both workers running (a test before may have killed one)."""
    full_size_cluster.revive()
    return full_size_cluster
