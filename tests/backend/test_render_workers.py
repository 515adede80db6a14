"""Render workers yield the CPU to the server: pages and the API answer while videos render."""

from __future__ import annotations

from pathlib import Path

import psutil

from testkit.app_process import quick_api
from testkit.waiting import wait_until


def render_workers(server: psutil.Process) -> list[psutil.Process]:
    """The server's spawned worker processes (not multiprocessing's resource tracker)."""
    return [child for child in server.children(recursive=True)
            if "spawn_main" in " ".join(child.cmdline())]


def test_render_workers_run_at_a_lower_priority_than_the_server(tmp_path: Path) -> None:
    with quick_api(tmp_path / "data") as backend:
        assert backend.process is not None
        server = psutil.Process(backend.process.pid)
        wait_until(lambda: bool(render_workers(server)), what="the render workers started")

        workers = render_workers(server)
        assert all(worker.nice() > server.nice() for worker in workers), \
            [(worker.pid, worker.nice()) for worker in workers]
