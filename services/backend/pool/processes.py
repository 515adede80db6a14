"""The process render pool (the default): spawned workers that run renders off the event loop.

Why not ``run.cpu_bound`` or ``ProcessPoolExecutor``: a render must stop within a second when
its job is cancelled, and those keep running a task whose caller gave up. Here each worker has
its own pipe; a task polls that pipe between frames (``should_stop``), so a stop message, or
the pipe closing because the dashboard died, ends the task at once. A worker that does not
answer a stop within the grace is killed and replaced. Workers never outlive the dashboard:
their pipe's end-of-file tells them to exit. Workers run at a lower CPU priority than the
dashboard and the API (``WORKER_NICENESS``): renders take every core left over, and a page or
an API answer never waits for a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from services.backend.pool.protocol import WorkerTaskFailed
from services.backend.render import RenderCancelled

log = logging.getLogger(__name__)

T = TypeVar("T")
STOP_GRACE_SECONDS = 1.0
WORKER_NICENESS = 10  # how much lower a worker's priority is than its parent's
_STOP = "stop"
_STARTED = ("started", None)  # a worker's first message: its imports and warm-up are done
WarmUp = Callable[[], None]


def _serve(conn: Connection, warm_up: WarmUp | None) -> None:
    """A worker's main loop: warm up, say it has started, then run tasks from the pipe until
    it closes."""
    if warm_up is not None:
        with contextlib.suppress(Exception):  # a broken renderer fails the first task: it says why
            warm_up()
    try:
        conn.send(_STARTED)
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message == _STOP:  # a stop that arrived after its task had finished
            continue
        function, args, kwargs = message
        try:
            result = function(*args, should_stop=conn.poll, **kwargs)
            reply: tuple[str, Any] = ("ok", result)
        except RenderCancelled:
            reply = ("cancelled", None)
        except Exception as error:  # reported to the caller, who decides
            summary = "".join(traceback.format_exception_only(error)).strip()
            reply = ("error", summary)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    """One spawned process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.SpawnContext, name: str,
                 warm_up: WarmUp | None) -> None:
        self.conn, child_end = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child_end, warm_up), name=name, daemon=True
        )
        self.process.start()
        child_end.close()
        self._started = False
        self._starting = asyncio.Lock()  # one reader of the pipe while several wait
        if self.process.pid is not None:  # it is, once started
            below_ours = os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS
            os.setpriority(os.PRIO_PROCESS, self.process.pid, below_ours)

    async def started(self) -> None:
        """Wait until the process has imported what it runs (the render code, its compiled
        loops) and warmed up: the first task's time is then the task's own. Any number may
        wait at once."""
        async with self._starting:
            if not self._started:
                if await self.receive() != _STARTED:
                    raise OSError("render worker spoke before it started")
                self._started = True

    async def receive(self) -> tuple[str, Any]:
        """Wait, without blocking the loop, for the worker's reply."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = self.conn.fileno()
        def wake() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await readable
        finally:
            loop.remove_reader(fd)
        reply: tuple[str, Any] = self.conn.recv()
        return reply

    def kill(self) -> None:
        """End the process now and reap it."""
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class _IdleWorkers:
    """Idle workers, handed to the callers waiting for one strictly first come, first served.

    Not an ``asyncio.Queue``: there a worker put back wakes the first waiter, but a caller
    asking in the same step (a render's caller asking again as soon as it ends) takes it
    first, and the woken waiter queues again at the back, behind everyone who came later.
    """

    def __init__(self) -> None:
        self._workers: deque[_Worker] = deque()
        self._waiting: deque[asyncio.Future[_Worker]] = deque()

    def __len__(self) -> int:
        return len(self._workers)

    def put(self, worker: _Worker) -> None:
        """Hand the worker to the longest waiting caller, or keep it for the next."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._workers.append(worker)

    async def get(self) -> _Worker:
        """An idle worker, once every caller that asked before has had one."""
        if self._workers:
            return self._workers.popleft()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over as the caller gave up
                self.put(waiter.result())
            raise


class ProcessPool:
    """``size`` worker processes (spawn start method), each running one task at a time;
    ``warm_up`` (a module-level function) runs in each as it starts, before any task."""

    def __init__(self, size: int, *, warm_up: WarmUp | None = None) -> None:
        self._size = size
        self._warm_up = warm_up
        self._context = multiprocessing.get_context("spawn")
        self._idle = _IdleWorkers()
        self._workers: list[_Worker] = []
        self._spawned = 0

    @property
    def size(self) -> int:
        """How many tasks run at once."""
        return self._size

    def start(self) -> None:
        """Spawn the workers; they import the render code while the dashboard starts."""
        for _ in range(self._size):
            self._idle.put(self._spawn())

    @property
    def idle(self) -> bool:
        """Whether no task is running or waiting for a worker."""
        return len(self._idle) == self._size

    async def ready(self) -> None:
        """Wait until every worker has started: what runs then has the machine to itself,
        not shared with workers still importing."""
        await asyncio.gather(*(worker.started() for worker in list(self._workers)))

    def _spawn(self) -> _Worker:
        self._spawned += 1
        worker = _Worker(self._context, name=f"aurora-render-{self._spawned}",
                         warm_up=self._warm_up)
        self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        self._workers.remove(worker)
        return self._spawn()

    async def run(self, function: Callable[..., T], *args: Any,
                  on_start: Callable[[], None] | None = None, **kwargs: Any) -> T:
        """Run ``function(*args, should_stop=…, **kwargs)`` in a worker and return its result.

        Tasks get workers first come, first served; ``on_start`` is called when one does and
        has started (the time before is waiting, not work). Cancelling the awaiting task stops
        the worker's task (``RenderCancelled`` inside it) within ``STOP_GRACE_SECONDS``, or
        kills and replaces the worker.
        """
        worker = await self._take()
        try:
            if on_start is not None:
                on_start()
            worker.conn.send((function, args, kwargs))
            status, value = await worker.receive()
        except asyncio.CancelledError:
            worker = await self._stop(worker)
            raise
        except (EOFError, OSError) as error:
            worker = self._replace(worker)
            raise WorkerTaskFailed(f"render worker died: {error!r}") from error
        finally:
            self._idle.put(worker)
        if status == "error":
            raise WorkerTaskFailed(value)
        if status == "cancelled":
            raise RenderCancelled()
        result: T = value
        return result

    async def _take(self) -> _Worker:
        """The next idle worker, once it has started; one that died starting is replaced.
        A caller cancelled meanwhile handed it no task, so it stays idle for the next."""
        worker = await self._idle.get()
        try:
            await worker.started()
        except asyncio.CancelledError:
            self._idle.put(worker)
            raise
        except (EOFError, OSError) as error:
            self._idle.put(self._replace(worker))
            raise WorkerTaskFailed(f"render worker died starting: {error!r}") from error
        return worker

    async def _stop(self, worker: _Worker) -> _Worker:
        """Ask the worker to drop its task; the same worker if it obeyed, else a new one."""
        try:
            worker.conn.send(_STOP)
            await asyncio.wait_for(worker.receive(), STOP_GRACE_SECONDS)
            return worker
        except (TimeoutError, EOFError, OSError):
            log.warning("render worker %s ignored stop; killing it", worker.process.pid)
            return self._replace(worker)

    def close(self) -> None:
        """Stop every worker: closing a pipe makes an idle worker exit; then reap or kill."""
        for worker in self._workers:
            worker.conn.close()
        for worker in self._workers:
            worker.process.join(timeout=STOP_GRACE_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        self._workers.clear()
