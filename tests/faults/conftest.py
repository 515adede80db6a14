"""Fault tests: the real dashboard, in a real browser, against a backend that misbehaves.

One dashboard (``faults_app``) serves the folder in remote mode against its own contract peer,
with a bearer token and a short stream read timeout, so a silent stream is found out in
seconds. Each test gets a fresh peer, a fresh browser context, and ends with checks of its
own: no JS dialog, no uncaught error or console error, no error trace in any open page, and
no traceback in the app's log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from testkit.app_process import AppProcess
from testkit.browser import TRACE_SCRIPT, VIEWPORT
from testkit.fixtures import run_a_browser, serve_a_peer
from testkit.peer import Peer, PeerServer
from testkit.trouble import BrowserTrouble, LogWatch

expect.set_options(timeout=10_000)

TOKEN = "faults-token-7f3a9c"
READ_TIMEOUT = 2.0  # seconds a progress stream may stay silent (AURORA_STREAM_READ_TIMEOUT)
KEEPALIVE = 0.5  # the peer's keep-alive interval, well inside the read timeout


@pytest.fixture
def peer(peer_server: PeerServer) -> Peer:
    """A fresh peer: no jobs, nothing recorded; keep-alives inside the dashboard's timeout."""
    peer = peer_server.new_peer()
    peer.keepalive = KEEPALIVE
    return peer


peer_server = pytest.fixture(serve_a_peer, scope="package", name="peer_server")
browser = pytest.fixture(run_a_browser, scope="package", name="browser")


@pytest.fixture
def api_token() -> str:
    """The bearer token the folder's dashboard sends its backend (``AURORA_API_TOKEN``)."""
    return TOKEN


@pytest.fixture(scope="package")
def faults_app(peer_server: PeerServer, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[AppProcess]:
    """The dashboard using the peer as its remote backend, with a token and a short timeout."""
    app = AppProcess(tmp_path_factory.mktemp("faults-app") / "data",
                     api_url=peer_server.url,
                     env={"AURORA_API_TOKEN": TOKEN,
                          "AURORA_STREAM_READ_TIMEOUT": str(READ_TIMEOUT)}).start()
    yield app
    app.stop()


@pytest.fixture
def app(faults_app: AppProcess) -> Iterator[AppProcess]:
    """The shared dashboard; the test fails if it logs a traceback meanwhile."""
    watch = LogWatch(faults_app)
    yield faults_app
    watch.check()


@pytest.fixture
def trouble() -> BrowserTrouble:
    """What went wrong in this test's browser context."""
    return BrowserTrouble()


@pytest.fixture
def context(browser: Any, trouble: BrowserTrouble) -> Iterator[BrowserContext]:
    """A fresh browser context, watched; its pages must end clean (see ``BrowserTrouble``)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    context.add_init_script(TRACE_SCRIPT)
    trouble.watch(context)
    yield context
    try:
        trouble.check(context.pages)
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab in the test's watched context."""
    return context.new_page()
