"""The store fixtures the backend's tests share: each engine in turn, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import pytest

from services.backend.store import JobStore, SqliteJobStore
from services.backend.store.postgres import PostgresJobStore


class Engine:
    """One engine's storage for a test: every store opened on it reads the same records."""

    def __init__(self, make: Callable[[], JobStore]) -> None:
        self._make = make
        self.opened: list[JobStore] = []

    async def open(self) -> JobStore:
        """A new store on this storage, open (and closed when the test ends)."""
        store = self._make()
        self.opened.append(store)
        await store.open()
        return store


async def _engine(make: Callable[[], JobStore]) -> AsyncIterator[Engine]:
    engine = Engine(make)
    yield engine
    for store in engine.opened:
        await store.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Engine]:
    """Each engine in turn: SQLite in a file of the test's own, or a PostgreSQL database."""
    make: Callable[[], JobStore] = (
        partial(SqliteJobStore, tmp_path / "jobs.sqlite3") if request.param == "sqlite"
        else partial(PostgresJobStore, request.getfixturevalue("postgres_url")))
    async for engine in _engine(make):
        yield engine


@pytest.fixture
async def job_store(engine: Engine) -> JobStore:
    """An open store of each engine, empty."""
    return await engine.open()


@pytest.fixture
async def postgres_engine(postgres_url: str) -> AsyncIterator[Engine]:
    """PostgreSQL stores on the test's own database (``postgres_url``)."""
    async for engine in _engine(partial(PostgresJobStore, postgres_url)):
        yield engine
