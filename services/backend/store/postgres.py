"""The PostgreSQL store (``AURORA_DATABASE_URL``): one set of jobs and user accounts every API
replica shares.

It keeps the SQLite engine's semantics exactly; the JSON fields are ``jsonb`` (which does not
keep an object's key order: nothing reads them by order). Connections come from a psycopg pool
opened inside the running loop; the pool checks each connection before handing it out, so one
the server dropped (a restart, a failover) is replaced unnoticed, and while the server is away
each call fails within ``_WAIT_SECONDS``. psycopg's errors of reaching the server, the pool's
timeouts included, leave as ``StoreUnavailable``.

The schema is the numbered SQL files in ``migrations/postgres``, applied at ``open`` in order,
each once, recorded in ``schema_migrations``; all under one advisory lock held for the
transaction, so replicas starting together against an empty database take turns, not race.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import fields
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

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

MIGRATIONS = migrations.FOLDER / "postgres"
_MIGRATION_LOCK = 0x4155524F5241  # "AURORA": the advisory lock key every replica migrates under
_WAIT_SECONDS = 5.0  # for a connection, new or pooled, before the store counts as unavailable
_RETRY_SECONDS = 10.0  # of reconnecting in the background; then the next call starts afresh
_MIN_CONNECTIONS, _MAX_CONNECTIONS = 1, 10  # kept open when idle; open at most

_Params = Mapping[str, Any] | tuple[Any, ...]
_COLUMNS = [column.name for column in fields(JobRecord)]
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM jobs"
_INSERT = (f"INSERT INTO jobs ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join(f'%({name})s' for name in _COLUMNS)})")
_UPDATE = ("UPDATE jobs SET "
           + ", ".join(f"{name} = %({name})s" for name in _COLUMNS if name != "job_id")
           + " WHERE job_id = %(job_id)s")
_SELECT_USERS = "SELECT name, password_hash, admin, created_at FROM users"
_SELECT_TOKENS = "SELECT token_id, owner, label, token_hash, created_at FROM tokens"
_REMOVE_USER = """
WITH tokens_removed AS (DELETE FROM tokens WHERE owner = %(name)s)
DELETE FROM users WHERE name = %(name)s
"""
_FAIL_INTERRUPTED = """
WITH failed AS (
    UPDATE jobs SET status = %(failed)s, error = %(error)s, event_id = event_id + 1,
                    updated_at = %(now)s
    WHERE status = %(processing)s
    RETURNING job_id, created_at, seq
)
SELECT job_id FROM failed ORDER BY created_at, seq
"""


def _to_row(record: JobRecord) -> dict[str, Any]:
    row = dict(record.__dict__)
    for column in JSON_FIELDS:
        if row[column] is not None:
            row[column] = Jsonb(row[column])
    return row


def _where(matching: JobFilter) -> tuple[str, dict[str, Any]]:
    """``matching`` as a WHERE clause and its named parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if matching.status:
        clauses.append("status = %(status)s")
        params["status"] = matching.status
    if matching.owner is not None:
        clauses.append("owner = %(owner)s")
        params["owner"] = matching.owner
    for number, word in enumerate(matching.words):
        clauses.append(f"(strpos(lower(prompt), %(word{number})s) > 0"
                       f" OR strpos(lower(style), %(word{number})s) > 0)")
        params[f"word{number}"] = word
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


async def _fetch(connection: psycopg.AsyncConnection[Any], sql: str,
                 params: _Params = ()) -> list[dict[str, Any]]:
    async with connection.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(sql, params)
        return await cursor.fetchall()


async def _migrate(connection: psycopg.AsyncConnection[Any]) -> None:
    """Apply, in one transaction, the migrations this database has not had yet."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        applied = {row["version"] for row in
                   await _fetch(connection, "SELECT version FROM schema_migrations")}
        for version, path in migrations.numbered(MIGRATIONS):
            if version not in applied:
                for statement in migrations.statements(path):
                    await connection.execute(statement)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, path.name))


class PostgresJobStore:
    """PostgreSQL-backed jobs and accounts, through a pool of connections in autocommit mode: each
    statement stands alone, and only the migration needs a transaction around several."""

    def __init__(self, url: str) -> None:
        self._pool: AsyncConnectionPool = AsyncConnectionPool(
            url, open=False, min_size=_MIN_CONNECTIONS, max_size=_MAX_CONNECTIONS,
            timeout=_WAIT_SECONDS, reconnect_timeout=_RETRY_SECONDS,
            check=AsyncConnectionPool.check_connection, name="aurora-jobs",
            kwargs={"autocommit": True, "connect_timeout": int(_WAIT_SECONDS)},
        )

    async def open(self) -> None:
        """Connect, then bring the schema up to date; on failure nothing is left running."""
        try:
            await self._pool.open(wait=True, timeout=_WAIT_SECONDS)
            async with self._pool.connection() as connection:
                await _migrate(connection)
        except psycopg.Error as error:
            await self._pool.close()
            raise StoreUnavailable(str(error)) from error

    async def close(self) -> None:
        """Close every connection (every write is already committed)."""
        await self._pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection; psycopg's errors of reaching the server (the pool's timeouts
        included) as the store's own. Any other is a bug of ours, not "try again later"."""
        try:
            async with self._pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise StoreUnavailable(str(error)) from error

    async def _rows(self, sql: str, params: _Params = ()) -> list[dict[str, Any]]:
        async with self._connection() as connection:
            return await _fetch(connection, sql, params)

    async def _execute(self, sql: str, params: _Params) -> int:
        """Run one statement; how many rows it touched."""
        async with self._connection() as connection:
            return (await connection.execute(sql, params)).rowcount

    async def insert(self, record: JobRecord) -> None:
        """Store a new job."""
        await self._execute(_INSERT, _to_row(record))

    async def save(self, record: JobRecord) -> None:
        """Write back every field of an existing job, stamping ``updated_at``."""
        record.updated_at = time.time()
        await self._execute(_UPDATE, _to_row(record))

    async def get(self, job_id: str) -> JobRecord | None:
        """The job with ``job_id``, or None."""
        rows = await self._rows(f"{_SELECT} WHERE job_id = %s", (job_id,))
        return JobRecord(**rows[0]) if rows else None

    async def get_many(self, job_ids: list[str]) -> list[JobRecord]:
        """The jobs with these ids, in the order asked (unknown ids left out), in one query."""
        rows = await self._rows(f"{_SELECT} WHERE job_id = ANY(%s)", (job_ids,))
        found = {row["job_id"]: JobRecord(**row) for row in rows}
        return [found[job_id] for job_id in job_ids if job_id in found]

    async def page(
        self, matching: JobFilter = EVERY_JOB, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[JobRecord], int]:
        """A page of the jobs ``matching``, newest first, and how many match in all."""
        where, params = _where(matching)
        params.update(limit=limit, offset=offset)
        async with self._connection() as connection:
            total = await _fetch(connection, f"SELECT count(*) AS total FROM jobs {where}", params)
            rows = await _fetch(connection, f"{_SELECT} {where} ORDER BY created_at DESC, "
                                "seq DESC LIMIT %(limit)s OFFSET %(offset)s", params)
        return [JobRecord(**row) for row in rows], int(total[0]["total"])

    async def with_status(self, status: str) -> list[JobRecord]:
        """Jobs in ``status``, oldest first."""
        rows = await self._rows(f"{_SELECT} WHERE status = %s ORDER BY created_at, seq",
                                (status,))
        return [JobRecord(**row) for row in rows]

    async def ended_before(self, moment: float) -> list[str]:
        """The jobs that ended before ``moment``, oldest first."""
        rows = await self._rows("SELECT job_id FROM jobs WHERE status = ANY(%s) "
                                "AND updated_at < %s ORDER BY updated_at, seq",
                                ([JobStatus.COMPLETED, JobStatus.FAILED], moment))
        return [row["job_id"] for row in rows]

    async def delete(self, job_id: str) -> None:
        """Forget the job's record and its log."""
        await self._execute("WITH log_removed AS (DELETE FROM job_log WHERE job_id = %(id)s) "
                            "DELETE FROM jobs WHERE job_id = %(id)s", {"id": job_id})

    async def add_log(self, job_id: str, level: LogLevel, message: str) -> None:
        """Add a line to the job's log, stamped now."""
        await self._execute("INSERT INTO job_log (job_id, at, level, message) "
                            "VALUES (%s, %s, %s, %s)", (job_id, time.time(), level, message))

    async def log_of(self, job_id: str) -> list[LogLine]:
        """The job's log, oldest line first."""
        rows = await self._rows("SELECT at, level, message FROM job_log WHERE job_id = %s "
                                "ORDER BY seq", (job_id,))
        return [LogLine(at=row["at"], level=row["level"], message=row["message"])
                for row in rows]

    async def fail_interrupted(self) -> list[str]:
        """Mark every job that was rendering when the process died as failed; their ids.

        Queued jobs had not started: they stay queued and run again.
        """
        rows = await self._rows(_FAIL_INTERRUPTED, {
            "failed": JobStatus.FAILED, "error": INTERRUPTED_MESSAGE, "now": time.time(),
            "processing": JobStatus.PROCESSING})
        return [row["job_id"] for row in rows]

    async def throughputs(self) -> dict[str, float]:
        """Every measured rate kept across restarts (for the ETA), by key."""
        rows = await self._rows("SELECT key, value FROM throughput")
        return {row["key"]: float(row["value"]) for row in rows}

    async def set_throughput(self, key: str, value: float) -> None:
        """Remember a measured rate."""
        await self._execute("INSERT INTO throughput (key, value) VALUES (%s, %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            (key, value))

    async def add_user(self, user: UserRecord) -> None:
        """Store a new user; ``UserExists`` if the name is taken."""
        added = await self._execute(
            "INSERT INTO users (name, password_hash, admin, created_at) VALUES (%(name)s, "
            "%(password_hash)s, %(admin)s, %(created_at)s) ON CONFLICT (name) DO NOTHING",
            user.__dict__)
        if not added:
            raise UserExists(user.name)

    async def remove_user(self, name: str) -> bool:
        """Forget a user and every token of theirs (in one statement); False if there was no
        such user."""
        return await self._execute(_REMOVE_USER, {"name": name}) > 0

    async def get_user(self, name: str) -> UserRecord | None:
        """The user named ``name``, or None."""
        rows = await self._rows(f"{_SELECT_USERS} WHERE name = %s", (name,))
        return UserRecord(**rows[0]) if rows else None

    async def list_users(self) -> list[UserRecord]:
        """Every user, by name."""
        return [UserRecord(**row) for row in await self._rows(f"{_SELECT_USERS} ORDER BY name")]

    async def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash (a rehash with newer parameters)."""
        await self._execute("UPDATE users SET password_hash = %s WHERE name = %s",
                            (password_hash, name))

    async def add_token(self, token: TokenRecord) -> None:
        """Store a new token."""
        await self._execute(
            "INSERT INTO tokens (token_id, owner, label, token_hash, created_at) VALUES "
            "(%(token_id)s, %(owner)s, %(label)s, %(token_hash)s, %(created_at)s)",
            token.__dict__)

    async def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token whose hash is ``token_hash``, or None."""
        rows = await self._rows(f"{_SELECT_TOKENS} WHERE token_hash = %s", (token_hash,))
        return TokenRecord(**rows[0]) if rows else None

    async def tokens_of(self, owner: str) -> list[TokenRecord]:
        """A user's tokens, newest first (the later stored first on equal times)."""
        rows = await self._rows(f"{_SELECT_TOKENS} WHERE owner = %s "
                                "ORDER BY created_at DESC, seq DESC", (owner,))
        return [TokenRecord(**row) for row in rows]

    async def remove_token(self, owner: str, token_id: str) -> bool:
        """Forget one of ``owner``'s own tokens; False if they have none with that id."""
        return await self._execute("DELETE FROM tokens WHERE owner = %s AND token_id = %s",
                                   (owner, token_id)) > 0
