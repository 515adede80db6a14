"""The job store: the interface every engine keeps, and the SQLite engine (the default)."""

from services.backend.store.protocol import (
    INTERRUPTED_MESSAGE,
    JobRecord,
    JobStore,
    StoreUnavailable,
)
from services.backend.store.sqlite import SqliteJobStore

__all__ = ["INTERRUPTED_MESSAGE", "JobRecord", "JobStore", "SqliteJobStore", "StoreUnavailable"]
