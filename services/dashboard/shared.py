"""``Dashboard``: the long-lived services every page of every tab shares, built once at start-up.

Pages never open their own connections to the backend: they go through this one client, watch
running jobs through the hub (one upstream stream per job, however many tabs) and learn of jobs
through the directory (one follower of the job list, however many tabs); the media relay
serves the backend's pictures and videos to the browser from the dashboard's origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.client import AuroraClient
from services.dashboard.directory import JobDirectory
from services.dashboard.extensions import Extensions
from services.dashboard.hub import JobHub
from services.dashboard.media_relay import MediaRelay
from services.dashboard.metrics import DashboardMetrics
from services.dashboard.settings import DashboardSettings, JobDefaults


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The backend's client, the job hub and the job directory (which share the hub's endings),
    the media relay, what a new job starts with, the dashboard's metrics, and which extensions
    the backend offers."""

    client: AuroraClient
    hub: JobHub
    directory: JobDirectory
    media: MediaRelay
    job_defaults: JobDefaults
    metrics: DashboardMetrics
    extensions: Extensions = field(default_factory=Extensions)

    @classmethod
    def create(cls, settings: DashboardSettings) -> Dashboard:
        """Everything talks to the backend the settings name; nothing connects until asked."""
        client = AuroraClient(settings.backend_base_url, token=settings.api_token,
                              read_timeout=settings.stream_read_timeout)
        hub = JobHub(client)
        metrics = DashboardMetrics(upstream_streams=lambda: hub.open_streams)
        directory = JobDirectory(client, hub.endings, metrics=metrics)
        return cls(client, hub, directory, MediaRelay(client), settings.job_defaults, metrics)

    async def aclose(self) -> None:
        """Stop following the jobs and streaming, then close the client they both use."""
        await self.directory.aclose()
        await self.hub.aclose()
        await self.client.aclose()
