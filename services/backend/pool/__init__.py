"""The render pool: the interface every engine keeps, spawned processes (the default), and
the two lanes one machine renders in."""

from services.backend.pool.lanes import RenderLanes
from services.backend.pool.processes import ProcessPool
from services.backend.pool.protocol import RenderPool, WorkerTaskFailed

__all__ = ["ProcessPool", "RenderLanes", "RenderPool", "WorkerTaskFailed"]
