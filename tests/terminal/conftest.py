"""The backends the terminal client's tests talk to: the real one, on loopback, quick (draft
pictures) or at full size (slow enough to watch and interrupt), and a contract peer that
lacks the extensions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testkit.app_process import AppProcess, quick_api
from testkit.fixtures import serve_a_peer

peer_server = pytest.fixture(serve_a_peer, scope="package", name="peer_server")


@pytest.fixture(scope="package")
def quick_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """``main.py api`` rendering draft pictures: a 15 s video in about a second; it calls
    webhooks on this machine."""
    with quick_api(tmp_path_factory.mktemp("quick") / "data",
                   env={"AURORA_WEBHOOK_HOSTS": "127.0.0.1"}) as backend:
        yield backend


@pytest.fixture(scope="package")
def full_size_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """``main.py api`` rendering full-size pictures with one worker: a 30 s video takes
    seconds, time enough to watch it and to act while it renders."""
    backend = AppProcess(tmp_path_factory.mktemp("full") / "data", command="api",
                         env={"AURORA_RENDER_WORKERS": "1"}).start()
    yield backend
    backend.stop()
