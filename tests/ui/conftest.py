"""Browser tests: the real dashboard in its own process, driven by Debian's Chromium.

Two kinds of dashboard serve these tests: ``rendering_app``, with a real backend, for the happy
paths with real rendering (each such test runs twice: with the embedded backend, and with the
backend as a process of its own, ``main.py api``); ``peer_app`` against this package's own
contract peer (``testkit/peer``), for what a real backend will not do on demand: drop streams,
die, refuse. Each test gets a fresh peer and a fresh browser context.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from testkit.app_process import AppProcess, dashboard_on_separate_api
from testkit.browser import VIEWPORT
from testkit.fixtures import run_a_browser, serve_a_peer
from testkit.peer import PeerServer

expect.set_options(timeout=10_000)


peer_server = pytest.fixture(serve_a_peer, scope="package", name="peer_server")
browser = pytest.fixture(run_a_browser, scope="package", name="browser")


@pytest.fixture(scope="package")
def peer_app(peer_server: PeerServer, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[AppProcess]:
    """The dashboard using the peer as its (remote) backend."""
    app = AppProcess(tmp_path_factory.mktemp("peer-app") / "data",
                     api_url=peer_server.url).start()
    yield app
    app.stop()


@pytest.fixture(scope="package", params=["embedded", "separate-api"])
def real_backend_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[AppProcess]:
    """The dashboard with a backend that renders for real, both ways the product runs: the
    embedded backend in the dashboard's process (the session's ``app_server``), and the
    backend alone (``main.py api``) with a dashboard pointed at it."""
    if request.param == "embedded":
        yield request.getfixturevalue("app_server")
        return
    with dashboard_on_separate_api(tmp_path_factory.mktemp("separate-api")) as dashboard:
        yield dashboard


@pytest.fixture
def rendering_app(real_backend_app: AppProcess) -> Iterator[AppProcess]:
    """A dashboard with a real backend; jobs a test leaves running are cancelled."""
    yield real_backend_app
    with httpx.Client(base_url=real_backend_app.api_url, timeout=10) as api:
        for status in ("pending", "processing"):
            for job in api.get("/api/v1/jobs", params={"status": status}).json()["jobs"]:
                api.post(f"/api/v1/jobs/{job['job_id']}/cancel")


@pytest.fixture
def context(browser: Any) -> Iterator[BrowserContext]:
    """One browser context for the test's tabs, closed (every tab with it) after the test."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A new tab in a fresh browser context (no shared storage between tests)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where the screenshot test leaves its pictures (``test-artifacts/`` is gitignored)."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
