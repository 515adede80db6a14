"""The backend's store of jobs and accounts: the interfaces every engine keeps, and SQLite
(the default).

The PostgreSQL engine (``store.postgres``) is imported only when a setting chooses it, like
the other engines beyond one machine.
"""

from services.backend.store.protocol import (
    EVERY_JOB,
    INTERRUPTED_MESSAGE,
    AccountStore,
    BackendStore,
    JobFilter,
    JobRecord,
    JobStore,
    LogLevel,
    LogLine,
    StoreUnavailable,
    TokenRecord,
    UserExists,
    UserRecord,
)
from services.backend.store.sqlite import SqliteJobStore

__all__ = [
    "EVERY_JOB",
    "INTERRUPTED_MESSAGE",
    "AccountStore",
    "BackendStore",
    "JobFilter",
    "JobRecord",
    "JobStore",
    "LogLevel",
    "LogLine",
    "SqliteJobStore",
    "StoreUnavailable",
    "TokenRecord",
    "UserExists",
    "UserRecord",
]
