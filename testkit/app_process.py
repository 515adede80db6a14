"""The real programs (``main.py``'s dashboard or backend) in a process of their own, on loopback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from services.contract import API_PREFIX

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def program_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a program of ours runs in from a test: this one, without what only
    the test runner means (ui.run treats PYTEST_* as NiceGUI's own test harness), plus
    ``extra``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "NICEGUI_"))}
    env.update(extra or {})
    return env


class AppProcess:
    """``python main.py COMMAND`` with the given flags and ``AURORA_*`` settings.

    ``command`` is ``serve`` (the dashboard; with the embedded backend unless ``api_url`` names
    another) or ``api`` (the backend alone). ``api_url`` is where its API answers either way.
    """

    def __init__(self, data_dir: Path, *, command: str = "serve", api_url: str | None = None,
                 port: int | None = None, extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None, python_options: list[str] | None = None,
                 ) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_url = api_url or self.base_url
        remote = ["--api-url", api_url] if api_url else []
        self._args = [sys.executable, *(python_options or []), str(ROOT / "main.py"), command,
                      "--port", str(self.port), "--data-dir", str(data_dir), *remote,
                      *(extra_args or [])]
        self._env = program_env(env)
        self._log_path = data_dir.parent / f"app-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 30.0) -> AppProcess:
        """Start the process and wait until it answers HTTP."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self._log_path.open("ab")
        self.process = subprocess.Popen(self._args, cwd=ROOT, env=self._env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited with {self.process.returncode}:\n{self.log()}")
            try:
                probe = httpx.get(f"{self.base_url}{API_PREFIX}/jobs?limit=1", timeout=2)
                if probe.status_code < 500:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"app did not answer within {timeout} s:\n{self.log()}")

    def children_cpu_seconds(self) -> float:
        """CPU time used so far by the process's children (the render workers)."""
        assert self.process is not None
        return cpu_seconds(psutil.Process(self.process.pid).children(recursive=True))

    def log(self) -> str:
        """What the process printed so far."""
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def requests_served(self, path: str | None = None, *, method: str = "GET") -> int:
        """How many ``method`` requests for ``path`` (any query; None: any path) the process
        has answered so far, by its own access log (``main.py api`` keeps one; the dashboard
        does not)."""
        target = r"\S+" if path is None else rf"{re.escape(path)}(\?\S*)?"
        line = re.compile(rf'"{re.escape(method)} {target} HTTP/')
        return sum(1 for _ in line.finditer(self.log()))

    def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 15.0) -> None:
        """Send ``sig`` and wait for the process to end (SIGKILL if it does not)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


QUICK_RENDERS = {"AURORA_RENDER_SIZE": "draft", "AURORA_RENDER_WORKERS": "1"}  # one at a time


@contextmanager
def quick_dashboard(data_dir: Path) -> Iterator[AppProcess]:
    """The dashboard with its embedded backend rendering quick draft pictures, one render
    worker (so a job's scenes come one after another), for the block."""
    app = AppProcess(data_dir, env=QUICK_RENDERS).start()
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def quick_api(data_dir: Path, *, env: dict[str, str] | None = None) -> Iterator[AppProcess]:
    """The backend alone (``main.py api``) rendering quick draft pictures with one render
    worker, with ``env`` besides, for the block."""
    app = AppProcess(data_dir, command="api", env={**QUICK_RENDERS, **(env or {})}).start()
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def dashboard_on_separate_api(scratch: Path, *, api_env: dict[str, str] | None = None,
                              ) -> Iterator[AppProcess]:
    """The product in two processes: ``main.py api`` (with ``api_env``) and a dashboard
    pointed at it, both stopped afterwards."""
    api = AppProcess(scratch / "data", command="api", env=api_env).start()
    try:
        dashboard = AppProcess(scratch / "dashboard", api_url=api.base_url).start()
        try:
            yield dashboard
        finally:
            dashboard.stop()
    finally:
        api.stop()


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """CPU time (user and system) used so far by ``processes``; one that is gone counts 0."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
