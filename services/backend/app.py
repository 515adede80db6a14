"""The video backend: its parts built from its settings, and its API routes.

It runs two ways, with the same parts and routes: mounted in the dashboard's process
(``python main.py``, the embedded default; the dashboard still reaches it over HTTP through the
same client as any remote backend) or alone as its own server (``python main.py api``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from services.backend.deps import BackendParts
from services.backend.feed import JobFeed
from services.backend.pipeline import JobRunner
from services.backend.routes import assets, jobs, progress
from services.backend.settings import BackendSettings
from services.backend.signing import AssetSigner, load_or_create_secret
from services.backend.store import JobStore
from services.backend.workers import RenderPool
from services.contract import API_PREFIX


async def _no_such_endpoint(path: str) -> JSONResponse:
    """Anything else under the API prefix: a JSON 404, never the dashboard's HTML page."""
    return JSONResponse({"detail": "Not found"}, status_code=404)


class VideoBackend:
    """Owns the store, the render pool and the job runner; starts and stops them."""

    def __init__(self, settings: BackendSettings) -> None:
        data_dir = settings.data_dir
        media_dir = data_dir / "media"
        media_dir.mkdir(parents=True, exist_ok=True)
        store = JobStore(data_dir / "jobs.sqlite3")
        signer = AssetSigner(load_or_create_secret(data_dir), ttl_seconds=settings.asset_url_ttl)
        feed = JobFeed()
        self._pool = RenderPool(settings.render_workers)
        runner = JobRunner(store=store, feed=feed, pool=self._pool, signer=signer,
                           media_dir=media_dir, max_concurrent=settings.max_concurrent_jobs)
        self.parts = BackendParts(store=store, feed=feed, runner=runner, signer=signer,
                                  media_dir=media_dir,
                                  keepalive_seconds=settings.keepalive_seconds)

    def install(self, app: FastAPI) -> None:
        """Mount the API routes on ``app`` at ``API_PREFIX``."""
        router = APIRouter(prefix=API_PREFIX)
        for module in (jobs, progress, assets):
            router.include_router(module.router)
        router.add_api_route("/{path:path}", _no_such_endpoint, include_in_schema=False,
                             methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        app.include_router(router)
        app.state.aurora_backend = self.parts

    async def start(self) -> None:
        """Spawn the render workers and resume the queue."""
        self._pool.start()
        self.parts.runner.start()

    async def stop(self) -> None:
        """Stop the runner (running jobs are marked interrupted at the next start), then the
        workers, then the store."""
        await self.parts.runner.stop()
        self._pool.close()
        self.parts.store.close()


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

    app = FastAPI(title="Aurora Studio backend", lifespan=lifespan, openapi_url=None)
    backend.install(app)
    return app
