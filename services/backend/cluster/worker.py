"""``python main.py worker``: a Celery worker that renders pieces of jobs, and its one task.

The worker forks ``concurrency`` task processes; each keeps an event loop and the cluster's
parts (store, feed, media, Redis) open from its first task to its end, so a task costs its
render, not new connections. The loop runs in a thread of its own all along, not only while a
task runs, so what a task leaves to run on (a webhook's delivery and its retries) goes on
between tasks. A task drives one ``PieceRun``; one that could not reach a part
tries again in its own process, its message still unacknowledged, rather than through the
broker (which may be the part that is away), so a piece is not lost to an outage. While the
worker runs it announces itself (name and concurrency) every few seconds, so the ETA counts
the workers that are alive.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from contextlib import AsyncExitStack

from celery import Celery, Task
from celery.signals import (
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from services.backend.cluster.celery_app import (
    RENDER_PIECE,
    RENDER_QUEUE,
    RESUME_QUEUE,
    create_celery,
    send_piece,
)
from services.backend.cluster.coordination import ANNOUNCE_SECONDS, Coordination
from services.backend.cluster.parts import ClusterParts, cluster_parts
from services.backend.cluster.runner import PieceRun, QueueComposition
from services.backend.pieces import COMPOSE
from services.backend.render import warm_up
from services.backend.settings import BackendSettings

log = logging.getLogger(__name__)


RETRY_SECONDS = (0.5, 1, 2, 5, 10, 15)  # then every 15 s
RETRIES = 60  # a part away for some 15 minutes


def worker_app(settings: BackendSettings) -> Celery:
    """The Celery app with the render task registered, for the worker's processes."""
    assert settings.redis_url is not None
    app = create_celery(settings.redis_url)
    process = _TaskProcess(settings)
    worker_process_init.connect(lambda **_: process.begin(), weak=False)
    worker_process_shutdown.connect(lambda **_: process.end(), weak=False)

    @app.task(name=RENDER_PIECE, bind=True)
    def render_piece(task: Task, job_id: str, piece: str, attempt: int) -> str:
        """Render one piece of a job (see ``runner.py``)."""
        def queue_composition(job: str) -> None:
            send_piece(app, job, COMPOSE, 1, resume=True)

        return process.run(job_id, piece, attempt, worker=str(task.request.hostname),
                           queue_composition=queue_composition)

    return app


class _TaskProcess:
    """One task process's event loop and open parts, kept from its first task to its end."""

    def __init__(self, settings: BackendSettings) -> None:
        self._settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened = AsyncExitStack()
        self._parts: ClusterParts | None = None

    def begin(self) -> None:
        """In the new process, after the fork: the renderer warmed up (``render.warm_up``),
        and a loop of its own, running in its own thread (the parts open lazily)."""
        warm_up()
        self._loop = loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="aurora-task-loop", daemon=True).start()

    def run(self, job_id: str, piece: str, attempt: int, *, worker: str,
            queue_composition: QueueComposition) -> str:
        """Render the piece; what became of it (an exception if a part is away)."""
        assert self._loop is not None, "tasks run in the worker's task processes"
        return asyncio.run_coroutine_threadsafe(
            self._render(job_id, piece, attempt, worker, queue_composition), self._loop).result()

    async def _render(self, job_id: str, piece: str, attempt: int, worker: str,
                      queue_composition: QueueComposition) -> str:
        tries = 0
        while True:
            try:
                if self._parts is None:
                    self._parts = await self._opened.enter_async_context(
                        cluster_parts(self._settings))
                run = PieceRun(self._parts, job_id=job_id, piece=piece, attempt=attempt,
                               worker=worker, queue_composition=queue_composition)
                outcome = await run.run()
                log.info("job %s: %s attempt %d %s", job_id, piece, attempt, outcome)
                return outcome
            except Exception as error:  # a part away (a render's own failure ends the job)
                tries += 1
                if tries >= RETRIES:
                    raise
                pause = RETRY_SECONDS[min(tries, len(RETRY_SECONDS)) - 1]
                log.warning("job %s: %s attempt %d could not go on (%s); again in %s s",
                            job_id, piece, attempt, error, pause)
                await asyncio.sleep(pause)

    def end(self) -> None:
        """Close the parts, then stop the loop, as the process ends."""
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._opened.aclose(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)


class _Announcer:
    """Says every few seconds, from a thread of the worker's main process, that it is alive."""

    def __init__(self, redis_url: str, name: str, concurrency: int) -> None:
        self._redis_url, self._name, self._concurrency = redis_url, name, concurrency
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._announce()),
                                        name="aurora-announcer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=ANNOUNCE_SECONDS + 1)

    async def _announce(self) -> None:
        coordination = Coordination(self._redis_url)
        try:
            while not self._stopped.is_set():
                try:
                    await coordination.announce_worker(self._name, self._concurrency)
                except Exception as error:  # Redis away: the next round tries again
                    log.warning("could not announce the worker: %s", error)
                await asyncio.to_thread(self._stopped.wait, ANNOUNCE_SECONDS)
            await coordination.retire_worker(self._name)
        finally:
            await coordination.aclose()


def run_worker(settings: BackendSettings, *, concurrency: int, name: str | None) -> None:
    """Run a render worker until it is stopped (Ctrl-C or SIGTERM finish the task at hand)."""
    assert settings.redis_url is not None
    node = f"{name or 'render'}@{socket.gethostname()}"
    announcer = _Announcer(settings.redis_url, node, concurrency)
    worker_ready.connect(lambda **_: announcer.start(), weak=False)
    worker_shutdown.connect(lambda **_: announcer.stop(), weak=False)
    worker_app(settings).worker_main([
        "worker", f"--concurrency={concurrency}", "--pool=prefork", f"--hostname={node}",
        f"--queues={RESUME_QUEUE},{RENDER_QUEUE}", "--without-gossip", "--without-mingle",
        "--loglevel=INFO",
    ])
