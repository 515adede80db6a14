"""A real PostgreSQL server (Debian's) for tests: a cluster of its own in a temporary dir, on a
free loopback port, and a fresh database for each test.

PostgreSQL refuses to run as root, so under root it runs as the ``postgres`` system user (the
temporary dir is handed to it); otherwise as whoever runs the tests. Durability is switched off:
a test's database never outlives the session.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg

from testkit.app_process import free_port

_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                   key=lambda path: int(path.parent.name))
_FAST_AND_FORGETFUL = ["-c", "fsync=off", "-c", "synchronous_commit=off",
                       "-c", "full_page_writes=off"]


def _binary(name: str) -> str:
    """A PostgreSQL program: Debian keeps them off the PATH, one folder per major version."""
    found = shutil.which(name, path=os.pathsep.join(str(path) for path in reversed(_BIN_DIRS)))
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


class PostgresServer:
    """``postgres`` on 127.0.0.1:``port``; ``stop`` and ``start`` again keep its databases.
    Its files go in ``root`` (made if missing), or in a temporary dir of its own."""

    def __init__(self, root: Path | None = None) -> None:
        self.port = free_port()
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        self._root = root or Path(tempfile.mkdtemp(prefix="aurora-postgres-"))
        self._data = self._root / "data"
        self._user = "postgres" if os.geteuid() == 0 else None  # None: whoever runs the tests
        if self._user is not None:
            shutil.chown(self._root, self._user, self._user)
        self._log = self._root / "postgres.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._numbers = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        """The URL of one of the server's databases, as the superuser ``postgres``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.Popen[bytes]:
        """One of PostgreSQL's programs, as the user that owns the cluster."""
        with self._log.open("ab") as log:
            return subprocess.Popen(args, cwd=self._root, stdout=log, stderr=subprocess.STDOUT,
                                    user=self._user, group=self._user,
                                    extra_groups=None if self._user is None else [])

    def start(self, *, timeout: float = 30.0) -> PostgresServer:
        """Create the cluster the first time, start the server and wait until it answers."""
        if not self._data.exists():
            initdb = self._run(_binary("initdb"), "-D", str(self._data), "-U", "postgres",
                               "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
            if initdb.wait(timeout=timeout) != 0:
                raise RuntimeError(f"initdb failed:\n{self.log()}")
        self._process = self._run(_binary("postgres"), "-D", str(self._data),
                                  "-p", str(self.port), "-k", str(self._root),
                                  "-c", "listen_addresses=127.0.0.1", *_FAST_AND_FORGETFUL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self._process.returncode}:\n"
                                   f"{self.log()}")
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"postgres did not answer within {timeout} s:\n{self.log()}")

    def stop(self, *, timeout: float = 15.0) -> None:
        """A fast shutdown (SIGINT): clients are cut off, the server and its children end."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def new_database(self) -> str:
        """The URL of a new, empty database (a copy of ``template1``)."""
        name = f"test_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by ``new_database``, cutting off whoever is still connected."""
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log(self) -> str:
        """What the server printed so far."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def close(self) -> None:
        """Stop the server and remove its cluster."""
        self.stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()  # a server that never came up leaves no folder behind
            raise

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
