"""The dashboard's Prometheus series (``GET /metrics``), in a registry of its own.

Open tabs and upstream progress streams are read at each scrape; the job list's polls and
streams of every job's changes are counted by the directory as it makes them
(``list_polled``, ``following_events``). In the embedded pair the same ``/metrics`` also
carries the embedded backend's series (``include``): one process, one scrape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager

from fastapi import FastAPI
from fastapi.responses import Response
from nicegui import Client
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)

Exposition = Callable[[], Awaitable[bytes]]  # another registry's series, in the text format


def open_tabs() -> int:
    """Browser tabs connected to the dashboard now."""
    return sum(client.has_socket_connection for client in Client.instances.values())


class DashboardMetrics:
    """What the dashboard's ``/metrics`` says; ``upstream_streams`` counts the progress
    streams open to the backend (the hub's)."""

    def __init__(self, *, upstream_streams: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        Gauge("aurora_dashboard_open_tabs", "Browser tabs connected now",
              registry=self.registry).set_function(open_tabs)
        Gauge("aurora_dashboard_upstream_streams", "Progress streams open to the backend "
              "(one per watched job, however many tabs)",
              registry=self.registry).set_function(upstream_streams)
        self._list_polls = Counter("aurora_dashboard_list_polls",
                                   "Job lists read from the backend", registry=self.registry)
        self._event_streams = Gauge("aurora_dashboard_event_streams",
                                    "Streams of every job's changes open to the backend",
                                    registry=self.registry)
        self._included: list[Exposition] = []

    def list_polled(self) -> None:
        """Count one read of the job list."""
        self._list_polls.inc()

    def following_events(self) -> AbstractContextManager[object]:
        """Count a stream of every job's changes as open for the block."""
        return self._event_streams.track_inprogress()

    def include(self, exposition: Exposition) -> None:
        """Serve ``exposition``'s series beside the dashboard's (the embedded backend's)."""
        self._included.append(exposition)

    def install(self, app: FastAPI) -> None:
        """Serve ``/metrics`` from ``app`` (counts only, so open like a health check)."""
        app.add_api_route("/metrics", self._serve, methods=["GET"], include_in_schema=False)

    async def _serve(self) -> Response:
        parts = [generate_latest(self.registry)]
        parts += [await exposition() for exposition in self._included]
        return Response(b"".join(parts), media_type=CONTENT_TYPE_LATEST)
