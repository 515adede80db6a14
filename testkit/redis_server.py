"""Debian's ``redis-server`` on loopback for tests: a free port, its own directory, append-only.

Every write is fsynced to the append-only file (``appendfsync always``) and nothing else is
saved, so a server stopped any way (even SIGKILL) and started again on the same port and
directory has every stream it had. It listens on 127.0.0.1 only, so protected mode has nothing
to refuse.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis

from testkit.app_process import free_port

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    """One ``redis-server`` process; ``restart`` keeps its port and data."""

    def __init__(self, directory: Path, *, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 10.0) -> RedisServer:
        """Start the server and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no", "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n"
                                   + self.log())
            try:
                with self.client() as probe:
                    probe.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"redis-server did not answer within {timeout} s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (SIGTERM: a clean shutdown; SIGKILL: a crash) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server with ``sig`` and start it again on the same port and directory."""
        self.stop(sig)
        self.start()

    def client(self) -> redis.Redis:
        """A plain (blocking) client of this server, answers decoded."""
        return redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=5)

    def log(self) -> str:
        """What the server logged so far."""
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
