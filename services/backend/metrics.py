"""The backend's Prometheus series (``GET /metrics``), in a registry of each backend's own.

A registry per backend, not the library's global one, so the dashboard's series and the
embedded backend's stay apart, and a backend built twice in one process (tests) starts from
zero. The job counts are read from the store at each scrape, so every replica of a cluster
reports the same, whichever process changed the jobs; the rest counts what this process did.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from services.backend.store import JobFilter, JobStore
from services.contract import JobStatus

# a draft scene renders in about a second, a full one of a 60 s video in half a minute or more
SCENE_SECONDS_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)


class BackendMetrics:
    """What ``/metrics`` says of one backend; the parts that measure something are given the
    series they feed (``scene_seconds``, ``progress_streams``, ``webhook_outcome``)."""

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self.registry = CollectorRegistry(auto_describe=True)
        self._jobs = Gauge("aurora_jobs", "Jobs in the store, by status", ["status"],
                           registry=self.registry)
        self._queue_length = Gauge("aurora_queue_length", "Jobs waiting to start",
                                   registry=self.registry)
        self.scene_seconds = Histogram(
            "aurora_scene_render_seconds", "Seconds a scene took to render, in a worker",
            buckets=SCENE_SECONDS_BUCKETS, registry=self.registry)
        self.progress_streams = Gauge("aurora_progress_streams",
                                      "Progress streams open on this process",
                                      registry=self.registry)
        self._webhook_deliveries = Counter(
            "aurora_webhook_deliveries", "Webhook tries, by outcome: delivered, retried "
            "(to be tried again) or abandoned (after the last try)", ["outcome"],
            registry=self.registry)

    def webhook_outcome(self, outcome: str) -> None:
        """Count one webhook try's outcome."""
        self._webhook_deliveries.labels(outcome=outcome).inc()

    async def exposition(self) -> bytes:
        """Every series in the Prometheus text format, the job counts read just now
        (``StoreUnavailable`` passes through)."""
        for status in JobStatus:
            _, count = await self._store.page(JobFilter(status=status), limit=0)
            self._jobs.labels(status=status.value).set(count)
            if status == JobStatus.PENDING:
                self._queue_length.set(count)
        return generate_latest(self.registry)
