"""The video backend: its parts built from its settings, and its API routes.

It runs two ways, with the same parts and routes: mounted in the dashboard's process
(``python main.py``, the embedded default; the dashboard still reaches it over HTTP through the
same client as any remote backend) or alone as its own server (``python main.py api``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from services.backend.access import Gate, caller
from services.backend.accounts import Accounts
from services.backend.calibration import calibrate
from services.backend.deletion import JobDeletion
from services.backend.deps import BackendParts
from services.backend.driver import JobDriver
from services.backend.engines import feeds, job_store, media_store
from services.backend.eta import Throughput
from services.backend.job_log import JobLogBook
from services.backend.metrics import BackendMetrics
from services.backend.planner import EtaPlanner
from services.backend.pool import ProcessPool, RenderLanes
from services.backend.presenter import JobPresenter
from services.backend.publisher import Publisher
from services.backend.queue import JobIntake, JobQueue
from services.backend.render import warm_up
from services.backend.routes import account, assets, events, jobs, progress, queue
from services.backend.settings import BackendSettings
from services.backend.store import BackendStore, StoreUnavailable
from services.backend.waiting_line import WaitingLine
from services.backend.webhooks import webhooks_for
from services.contract import API_PREFIX


async def _no_such_endpoint(path: str) -> JSONResponse:
    """Anything else under the API prefix: a JSON 404, never the dashboard's HTML page."""
    return JSONResponse({"detail": "Not found"}, status_code=404)


async def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """A store that cannot be reached this time: say so, and when to ask again (the progress
    stream has its own answer, an ``error`` event, and goes on)."""
    return JSONResponse({"detail": "The job store cannot be reached; try again shortly"},
                        status_code=503, headers={"Retry-After": "5"})


class VideoBackend:
    """Owns the store, the render pool and the job queue; starts and stops them."""

    def __init__(self, settings: BackendSettings) -> None:
        # Each swappable part's engine (``engines.py`` chooses where a setting can).
        self._store: BackendStore = job_store(settings)
        self._feed, self._changes = feeds(settings)
        self._media, local_media = media_store(settings)
        self._lanes: RenderLanes | None = None  # this process's own workers, if it renders
        self._started = AsyncExitStack()  # what ``stop`` closes, once ``start`` has opened it
        self._throughput = Throughput(self._store)
        self.metrics = BackendMetrics(self._store)
        self._webhooks = webhooks_for(settings, self._store, self.metrics.webhook_outcome)
        if settings.render_pool == "celery":
            queue, presenter = self._cluster_queue(settings)
        else:
            queue, presenter = self._local_queue(settings)
        self._retention_days = settings.retention_days
        self._data_dir, self._render_size = settings.data_dir, settings.render_size
        deletion = JobDeletion(store=self._store, media=self._media, changes=self._changes)
        self.parts = BackendParts(queue=queue, presenter=presenter, changes=self._changes,
                                  deletion=deletion, log=JobLogBook(self._store),
                                  local_media=local_media,
                                  keepalive_seconds=settings.keepalive_seconds,
                                  webhooks=self._webhooks, metrics=self.metrics)
        token = settings.service_token
        self.gate = Gate(mode=settings.auth or "open", accounts=Accounts(self._store),
                         service_token=None if token is None else token.get_secret_value())

    def _local_queue(self, settings: BackendSettings) -> tuple[JobIntake, JobPresenter]:
        """Jobs rendered by this process's own worker processes."""
        self._lanes = lanes = RenderLanes(
            scenes=ProcessPool(settings.render_workers, warm_up=warm_up),
            music=ProcessPool(1, warm_up=warm_up))
        line = WaitingLine()
        planner = EtaPlanner(store=self._store, throughput=self._throughput,
                             workers=lanes.scenes.size, slots=settings.max_concurrent_jobs,
                             ahead_of=line.ahead_of)
        presenter = JobPresenter(store=self._store, feed=self._feed, media=self._media,
                                 planner=planner, line=line)
        publisher = Publisher(store=self._store, feed=self._feed, changes=self._changes,
                              presenter=presenter, webhooks=self._webhooks)
        driver = JobDriver(publisher=publisher, lanes=lanes, planner=planner,
                           throughput=self._throughput, media=self._media,
                           scene_seconds=self.metrics.scene_seconds)
        queue = JobQueue(store=self._store, line=line, publisher=publisher, driver=driver,
                         planner=planner, slots=settings.max_concurrent_jobs,
                         render_size=settings.render_size)
        return queue, presenter

    def _cluster_queue(self, settings: BackendSettings) -> tuple[JobIntake, JobPresenter]:
        """Jobs rendered by Celery workers (celery loads only when chosen)."""
        from services.backend.cluster.celery_app import create_celery
        from services.backend.cluster.coordination import Coordination
        from services.backend.cluster.dispatch import ClusterQueue
        from services.backend.cluster.planner import ClusterPlanner

        assert settings.redis_url is not None  # the settings make sure
        coordination = Coordination(settings.redis_url)
        planner = ClusterPlanner(store=self._store, throughput=self._throughput,
                                 coordination=coordination)
        presenter = JobPresenter(store=self._store, feed=self._feed, media=self._media,
                                 planner=planner)
        publisher = Publisher(store=self._store, feed=self._feed, changes=self._changes,
                              presenter=presenter, webhooks=self._webhooks)
        queue = ClusterQueue(store=self._store, publisher=publisher, coordination=coordination,
                             celery=create_celery(settings.redis_url),
                             render_size=settings.render_size)
        return queue, presenter

    def install(self, app: FastAPI) -> None:
        """Mount the API routes on ``app`` at ``API_PREFIX``, every one behind the gate."""
        router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(caller)])
        for module in (jobs, queue, progress, events, assets, account):
            router.include_router(module.router)
        router.add_api_route("/{path:path}", _no_such_endpoint, include_in_schema=False,
                             methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        app.include_router(router)
        app.add_exception_handler(StoreUnavailable, _store_unavailable)
        app.state.aurora_backend = self.parts
        app.state.aurora_gate = self.gate

    async def start(self) -> None:
        """Open the stores, take up the measured rates, spawn the render workers (measuring
        their rates on a fresh machine) and resume the queue; a part that fails to start
        leaves none of the others running."""
        async with AsyncExitStack() as started:
            await self._store.open()
            started.push_async_callback(self._store.close)
            await self._media.open()
            started.push_async_callback(self._media.close)
            started.push_async_callback(self._feed.aclose)
            await self._throughput.load()
            await self._webhooks.start()
            started.push_async_callback(self._webhooks.stop)
            if self._lanes is not None:
                self._lanes.start()
                started.callback(self._lanes.close)
                measuring = asyncio.create_task(calibrate(
                    self._lanes, self._throughput, scratch=self._data_dir / "calibration",
                    render_size=self._render_size), name="calibration")
                started.push_async_callback(_cancelled, measuring)
            await self.parts.queue.start()
            if self._retention_days:
                retention = asyncio.create_task(
                    self.parts.deletion.keep_for(self._retention_days), name="retention")
                started.push_async_callback(_cancelled, retention)
            self._started = started.pop_all()

    async def stop(self) -> None:
        """Stop the queue (running jobs are marked interrupted at the next start), then the
        workers, the feed and the stores, in the reverse order they started."""
        await self.parts.queue.stop()
        await self._started.aclose()


async def _cancelled(task: asyncio.Task[None]) -> None:
    """Stop ``task`` and wait until it has."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def create_app(settings: BackendSettings) -> FastAPI:
    """The backend as an app of its own, for ``python main.py api``: routes, start and stop."""
    backend = VideoBackend(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            await backend.stop()

    async def metrics() -> Response:
        """The backend's series for Prometheus (counts only: open like a health check)."""
        return Response(await backend.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app = FastAPI(title="Aurora Studio backend", lifespan=lifespan, openapi_url=None)
    backend.install(app)
    app.add_api_route("/metrics", metrics, include_in_schema=False)
    return app
