"""The SQLite store (the default engine): jobs and user accounts in WAL mode under the data dir.

Writes commit at once, so a crash or a restart loses no job record or account; media files are
only referenced (by names relative to the job's folder), never stored in the database. Every
``sqlite3.Error`` leaves this module as ``StoreUnavailable``.

The methods are async to keep the interface, but call ``sqlite3`` directly: a local WAL file
answers in microseconds, less than a hop to a thread would cost, and since no method awaits
inside a transaction, no other coroutine ever runs in the middle of one.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.backend.store import migrations
from services.backend.store.protocol import (
    EVERY_JOB,
    INTERRUPTED_MESSAGE,
    JSON_FIELDS,
    JobFilter,
    JobRecord,
    LogLevel,
    LogLine,
    StoreUnavailable,
    TokenRecord,
    UserExists,
    UserRecord,
)
from services.contract import JobStatus

MIGRATIONS = migrations.FOLDER / "sqlite"


def _to_row(record: JobRecord) -> dict[str, Any]:
    row = dict(record.__dict__)
    for column in JSON_FIELDS:
        row[column] = None if row[column] is None else json.dumps(row[column])
    return row


def _from_row(row: sqlite3.Row) -> JobRecord:
    values = dict(row)
    for column in JSON_FIELDS:
        values[column] = None if values[column] is None else json.loads(values[column])
    return JobRecord(**values)


def _where(matching: JobFilter) -> tuple[str, list[Any]]:
    """``matching`` as a WHERE clause and its parameters (words: Unicode-aware lower case, by
    the ``lower_text`` function each connection has)."""
    clauses: list[str] = []
    params: list[Any] = []
    if matching.status:
        clauses.append("status = ?")
        params.append(matching.status)
    if matching.owner is not None:
        clauses.append("owner = ?")
        params.append(matching.owner)
    for word in matching.words:
        clauses.append("(instr(lower_text(prompt), ?) > 0 OR instr(lower_text(style), ?) > 0)")
        params.extend([word, word])
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _lower_text(text: str | None) -> str:
    """SQLite's own lower() knows only ASCII; a search must find "Café" as "café"."""
    return (text or "").lower()


def _migrate(db: sqlite3.Connection) -> None:
    """Apply the migrations this database has not had yet (inside the caller's transaction)."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
               "name TEXT NOT NULL, applied_at REAL NOT NULL)")
    applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    for version, path in migrations.numbered(MIGRATIONS):
        if version not in applied:
            for statement in migrations.statements(path):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                       (version, path.name, time.time()))


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    """Turn SQLite's errors into the store interface's own."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreUnavailable(str(error)) from error


def _user(row: sqlite3.Row) -> UserRecord:
    return UserRecord(**{**dict(row), "admin": bool(row["admin"])})


class SqliteJobStore:
    """SQLite-backed jobs and accounts; one connection, used from the event loop only."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: sqlite3.Connection

    async def open(self) -> None:
        """Open the database file (created if missing) and its tables."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with _unavailable_on_error():
            self._db = sqlite3.connect(self._path, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.create_function("lower_text", 1, _lower_text, deterministic=True)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        with self._transaction() as db:
            _migrate(db)

    async def close(self) -> None:
        """Close the database (every write is already committed)."""
        with _unavailable_on_error():
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with _unavailable_on_error():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with _unavailable_on_error():
            return self._db.execute(sql, params).fetchall()

    async def insert(self, record: JobRecord) -> None:
        """Store a new job."""
        row = _to_row(record)
        columns = ", ".join(row)
        placeholders = ", ".join(f":{name}" for name in row)
        with self._transaction() as db:
            db.execute(f"INSERT INTO jobs ({columns}) VALUES ({placeholders})", row)

    async def save(self, record: JobRecord) -> None:
        """Write back every field of an existing job, stamping ``updated_at``."""
        record.updated_at = time.time()
        row = _to_row(record)
        assignments = ", ".join(f"{name} = :{name}" for name in row if name != "job_id")
        with self._transaction() as db:
            db.execute(f"UPDATE jobs SET {assignments} WHERE job_id = :job_id", row)

    async def get(self, job_id: str) -> JobRecord | None:
        """The job with ``job_id``, or None."""
        rows = self._rows("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return _from_row(rows[0]) if rows else None

    async def get_many(self, job_ids: list[str]) -> list[JobRecord]:
        """The jobs with these ids, in the order asked (unknown ids left out), in one query."""
        if not job_ids:  # ``IN ()`` is not SQL
            return []
        placeholders = ", ".join("?" * len(job_ids))
        found = {record.job_id: record for record in map(_from_row, self._rows(
            f"SELECT * FROM jobs WHERE job_id IN ({placeholders})", job_ids))}
        return [found[job_id] for job_id in job_ids if job_id in found]

    async def page(
        self, matching: JobFilter = EVERY_JOB, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[JobRecord], int]:
        """A page of the jobs ``matching``, newest first, and how many match in all."""
        where, params = _where(matching)
        total = self._rows(f"SELECT COUNT(*) FROM jobs {where}", params)[0][0]
        rows = self._rows(
            f"SELECT * FROM jobs {where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_from_row(row) for row in rows], int(total)

    async def with_status(self, status: str) -> list[JobRecord]:
        """Jobs in ``status``, oldest first."""
        rows = self._rows(
            "SELECT * FROM jobs WHERE status = ? ORDER BY created_at, rowid", (status,)
        )
        return [_from_row(row) for row in rows]

    async def ended_before(self, moment: float) -> list[str]:
        """The jobs that ended before ``moment``, oldest first."""
        rows = self._rows("SELECT job_id FROM jobs WHERE status IN (?, ?) AND updated_at < ? "
                          "ORDER BY updated_at, rowid",
                          (JobStatus.COMPLETED, JobStatus.FAILED, moment))
        return [row["job_id"] for row in rows]

    async def delete(self, job_id: str) -> None:
        """Forget the job's record and its log."""
        with self._transaction() as db:
            db.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))
            db.execute("DELETE FROM job_log WHERE job_id = ?", (job_id,))

    async def add_log(self, job_id: str, level: LogLevel, message: str) -> None:
        """Add a line to the job's log, stamped now."""
        with self._transaction() as db:
            db.execute("INSERT INTO job_log (job_id, at, level, message) VALUES (?, ?, ?, ?)",
                       (job_id, time.time(), level, message))

    async def log_of(self, job_id: str) -> list[LogLine]:
        """The job's log, oldest line first."""
        rows = self._rows("SELECT at, level, message FROM job_log WHERE job_id = ? "
                          "ORDER BY rowid", (job_id,))
        return [LogLine(at=row["at"], level=row["level"], message=row["message"])
                for row in rows]

    async def fail_interrupted(self) -> list[str]:
        """Mark every job that was rendering when the process died as failed; their ids.

        Queued jobs had not started: they stay queued and run again.
        """
        interrupted = await self.with_status(JobStatus.PROCESSING)
        for record in interrupted:
            record.status = JobStatus.FAILED
            record.error = INTERRUPTED_MESSAGE
            record.event_id += 1
            await self.save(record)
        return [record.job_id for record in interrupted]

    async def throughputs(self) -> dict[str, float]:
        """Every measured rate kept across restarts (for the ETA), by key."""
        return {key: float(value) for key, value in self._rows("SELECT key, value FROM throughput")}

    async def set_throughput(self, key: str, value: float) -> None:
        """Remember a measured rate."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO throughput (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    async def add_user(self, user: UserRecord) -> None:
        """Store a new user; ``UserExists`` if the name is taken."""
        with self._transaction() as db:
            added = db.execute(
                "INSERT INTO users (name, password_hash, admin, created_at) "
                "VALUES (:name, :password_hash, :admin, :created_at) "
                "ON CONFLICT (name) DO NOTHING", user.__dict__).rowcount
        if not added:
            raise UserExists(user.name)

    async def remove_user(self, name: str) -> bool:
        """Forget a user and every token of theirs; False if there was no such user."""
        with self._transaction() as db:
            db.execute("DELETE FROM tokens WHERE owner = ?", (name,))
            return db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    async def get_user(self, name: str) -> UserRecord | None:
        """The user named ``name``, or None."""
        rows = self._rows("SELECT * FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    async def list_users(self) -> list[UserRecord]:
        """Every user, by name."""
        return [_user(row) for row in self._rows("SELECT * FROM users ORDER BY name")]

    async def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash (a rehash with newer parameters)."""
        with self._transaction() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))

    async def add_token(self, token: TokenRecord) -> None:
        """Store a new token."""
        with self._transaction() as db:
            db.execute("INSERT INTO tokens (token_id, owner, label, token_hash, created_at) "
                       "VALUES (:token_id, :owner, :label, :token_hash, :created_at)",
                       token.__dict__)

    async def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token whose hash is ``token_hash``, or None."""
        rows = self._rows("SELECT * FROM tokens WHERE token_hash = ?", (token_hash,))
        return TokenRecord(**rows[0]) if rows else None

    async def tokens_of(self, owner: str) -> list[TokenRecord]:
        """A user's tokens, newest first (the later stored first on equal times)."""
        rows = self._rows("SELECT * FROM tokens WHERE owner = ? "
                          "ORDER BY created_at DESC, rowid DESC", (owner,))
        return [TokenRecord(**row) for row in rows]

    async def remove_token(self, owner: str, token_id: str) -> bool:
        """Forget one of ``owner``'s own tokens; False if they have none with that id."""
        with self._transaction() as db:
            return db.execute("DELETE FROM tokens WHERE owner = ? AND token_id = ?",
                              (owner, token_id)).rowcount > 0
