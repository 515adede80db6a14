"""A whole backend cluster on loopback for tests and benchmarks: two API replicas and Celery
render workers on PostgreSQL, Redis and an S3 store (the servers are the caller's)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import redis

from testkit.app_process import AppProcess
from testkit.render_worker import RenderWorker
from testkit.s3_server import S3Server
from testkit.waiting import wait_until


@dataclass
class Cluster:
    """A running cluster's processes, and what a test reads of its servers."""

    replicas: tuple[AppProcess, AppProcess]
    workers: dict[str, RenderWorker]
    redis_url: str
    bucket: str
    s3: S3Server

    def objects(self) -> dict[str, str]:
        """Every file in the media bucket, by key, with its ETag and modification time."""
        client = boto3.client("s3", endpoint_url=self.s3.url, region_name="us-east-1",
                              aws_access_key_id=self.s3.env["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=self.s3.env["AWS_SECRET_ACCESS_KEY"])
        listed = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {item["Key"]: f"{item['ETag']} {item['LastModified']}" for item in listed}

    def worker_holding(self, job_id: str) -> RenderWorker:
        """The worker that holds a lease on one of the job's pieces now."""
        with redis.Redis.from_url(self.redis_url, decode_responses=True) as client:
            def holder() -> str | None:
                keys = client.keys(f"aurora:lease:{job_id}:*")
                values = [client.get(key) for key in keys]
                return next((value for value in values if value), None)

            wait_until(lambda: holder() is not None, timeout=30)
            name = str(holder()).split("@", 1)[0]
        return self.workers[name]

    def render_cpu_seconds(self) -> float:
        """CPU time the workers and their task processes have used so far."""
        return sum(worker.cpu_seconds() for worker in self.workers.values())

    def revive(self) -> None:
        """Start again every worker a test killed."""
        for worker in self.workers.values():
            if not worker.running():
                worker.start()


@contextmanager
def running_cluster(scratch: Path, *, database_url: str, redis_url: str, s3: S3Server,
                    render_size: str, workers: int = 2, env: dict[str, str] | None = None,
                    ) -> Iterator[Cluster]:
    """Two API replicas and ``workers`` render workers (``w1``, ``w2``, …) on the given
    servers, with a media bucket of their own and any further settings ``env`` has; all
    stopped after the block."""
    bucket = f"aurora-{uuid.uuid4().hex[:12]}"
    env = {**s3.env, "AURORA_DATABASE_URL": database_url, "AURORA_REDIS_URL": redis_url,
           "AURORA_MEDIA_URL": f"s3://{bucket}", "AURORA_RENDER_POOL": "celery",
           "AURORA_RENDER_SIZE": render_size, **(env or {})}
    started: list[AppProcess | RenderWorker] = []
    try:
        replicas = []
        for name in ("a", "b"):
            replicas.append(AppProcess(scratch / name / "data", command="api", env=env).start())
            started.append(replicas[-1])
        running = {}
        for number in range(1, workers + 1):
            name = f"w{number}"
            running[name] = RenderWorker(scratch / "workers", name, env=env).start()
            started.append(running[name])
        yield Cluster(replicas=(replicas[0], replicas[1]), workers=running,
                      redis_url=redis_url, bucket=bucket, s3=s3)
    finally:
        for process in reversed(started):
            process.stop()
