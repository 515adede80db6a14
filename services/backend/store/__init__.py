"""The job store: the interface every engine keeps, SQLite (the default) and PostgreSQL."""

from services.backend.store.postgres import PostgresJobStore
from services.backend.store.protocol import (
    INTERRUPTED_MESSAGE,
    JobRecord,
    JobStore,
    StoreUnavailable,
)
from services.backend.store.sqlite import SqliteJobStore

__all__ = [
    "INTERRUPTED_MESSAGE",
    "JobRecord",
    "JobStore",
    "PostgresJobStore",
    "SqliteJobStore",
    "StoreUnavailable",
]
