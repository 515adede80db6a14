"""A real Celery render worker (``python main.py worker``) in a process group of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import redis

from testkit.app_process import ROOT, cpu_seconds


class RenderWorker:
    """``python main.py worker --concurrency N --name NAME`` with the given settings; its
    data dir is ``data_dir`` (the API's, on one machine with SQLite and local media) or its
    own scratch folder."""

    def __init__(self, scratch: Path, name: str, *, env: dict[str, str],
                 data_dir: Path | None = None, concurrency: int = 1) -> None:
        self.name = name
        self._redis_url = env["AURORA_REDIS_URL"]
        self._args = [sys.executable, str(ROOT / "main.py"), "worker", "--name", name,
                      "--concurrency", str(concurrency),
                      "--data-dir", str(data_dir or scratch / name)]
        self._env = {**os.environ, **env}
        self._log_path = scratch / f"worker-{name}.log"
        scratch.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60.0) -> RenderWorker:
        """Start the worker and wait until it announces itself ready."""
        with self._log_path.open("ab") as log:
            self.process = subprocess.Popen(self._args, cwd=ROOT, env=self._env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        with redis.Redis.from_url(self._redis_url) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"worker exited with {self.process.returncode}:\n"
                                       f"{self.log()}")
                if any(key.decode().startswith(f"{self.name}@")
                       for key in client.hkeys("aurora:workers")):
                    return self
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"worker {self.name} not ready within {timeout} s:\n{self.log()}")

    def running(self) -> bool:
        """Whether the worker's process is alive."""
        return self.process is not None and self.process.poll() is None

    def processes(self) -> list[psutil.Process]:
        """The worker's main process and the processes rendering for it."""
        assert self.process is not None
        main = psutil.Process(self.process.pid)
        return [main, *main.children(recursive=True)]

    def cpu_seconds(self) -> float:
        """CPU time the worker and its task processes have used so far."""
        return cpu_seconds(self.processes())

    def log(self) -> str:
        """What the worker printed so far."""
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker at once, task processes included: a machine gone."""
        if self.running():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, *, timeout: float = 20.0) -> None:
        """A warm shutdown (SIGTERM), killed if it takes longer than ``timeout``."""
        if not self.running():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
