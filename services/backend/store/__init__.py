"""The job store: the interface every engine keeps, and SQLite (the default).

The PostgreSQL engine (``store.postgres``) is imported only when a setting chooses it, like
the other engines beyond one machine.
"""

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
    "SqliteJobStore",
    "StoreUnavailable",
]
