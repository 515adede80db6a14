"""The render pool: the interface every engine keeps, and spawned processes (the default)."""

from services.backend.pool.processes import ProcessPool
from services.backend.pool.protocol import RenderPool, WorkerTaskFailed

__all__ = ["ProcessPool", "RenderPool", "WorkerTaskFailed"]
