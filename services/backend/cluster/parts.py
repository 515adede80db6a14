"""The backend's parts as a cluster process builds them: the chosen engines, the cluster's
coordination through Redis, and the publisher that reports what the job reached (and POSTs
the ends of jobs that end here to their webhooks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from services.backend.cluster.coordination import Coordination
from services.backend.cluster.planner import ClusterPlanner
from services.backend.engines import feeds, job_store, media_store
from services.backend.eta import Throughput
from services.backend.media import LocalMedia, MediaStore
from services.backend.presenter import JobPresenter
from services.backend.publisher import Publisher
from services.backend.settings import BackendSettings
from services.backend.store import JobStore
from services.backend.webhooks import uncounted, webhooks_for


@dataclass(frozen=True)
class ClusterParts:
    """What a cluster process works with, open."""

    store: JobStore
    media: MediaStore
    local_media: LocalMedia | None
    coordination: Coordination
    throughput: Throughput
    presenter: JobPresenter
    publisher: Publisher


@asynccontextmanager
async def cluster_parts(settings: BackendSettings) -> AsyncIterator[ClusterParts]:
    """Open every part for the block, and close them after it."""
    assert settings.redis_url is not None, "a cluster runs on AURORA_REDIS_URL"
    store = job_store(settings)
    feed, changes = feeds(settings)
    media, local_media = media_store(settings)
    coordination = Coordination(settings.redis_url)
    throughput = Throughput(store)
    planner = ClusterPlanner(store=store, throughput=throughput, coordination=coordination)
    presenter = JobPresenter(store=store, feed=feed, media=media, planner=planner)
    webhooks = webhooks_for(settings, store, uncounted)
    async with AsyncExitStack() as opened:
        await store.open()
        opened.push_async_callback(store.close)
        await media.open()
        opened.push_async_callback(media.close)
        opened.push_async_callback(feed.aclose)
        opened.push_async_callback(coordination.aclose)
        await throughput.load()
        await webhooks.start()
        opened.push_async_callback(webhooks.stop)
        yield ClusterParts(store=store, media=media, local_media=local_media,
                           coordination=coordination, throughput=throughput,
                           presenter=presenter,
                           publisher=Publisher(store=store, feed=feed, changes=changes,
                                               presenter=presenter, webhooks=webhooks))
