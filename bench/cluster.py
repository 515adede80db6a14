"""The backend as a cluster: throughput by worker count, first update, stream latency, resume.

Every part a real server on loopback (``testkit/cluster.py``: two API replicas on PostgreSQL,
Redis and SeaweedFS, Celery workers of concurrency 1), all on this machine's cores, so the
figures say what the cluster's own machinery costs, not what more machines would give.
Prints, in one run:

1. jobs per minute (15 s videos, all submitted at once) with 1 and 2 workers, at draft size
   and 1280x720, beside one ``api`` rendering in its own 2 processes;
2. submit → first ``update`` (the pending state) and → the stage a worker sends first;
3. the latency of stage events with 200 open streams spread over the two replicas (a stage's
   ``completed_at`` as the worker recorded it → the event read by a client), beside the
   embedded in-memory feed with 200 streams on one ``api``;
4. the ETA's error at 25/50/75 % of a 30 s video at 1280x720 on two workers (medians of
   three), as ``bench/render.py`` measures it on one machine;
5. a worker SIGKILLed mid-scene (and started again at once, as a supervisor would): how long
   until its piece renders again elsewhere, and how much later the job ends than unharmed.

Run with ``python -m bench.cluster``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import httpx
import redis
from httpx_sse import aconnect_sse

from bench.render import watch_render
from bench.stats import percentile
from testkit.app_process import AppProcess
from testkit.cluster import Cluster, running_cluster
from testkit.postgres_server import PostgresServer
from testkit.redis_server import RedisServer
from testkit.s3_server import S3Server
from testkit.sse import follow, generate, read_events, wait_for_stage

THROUGHPUT_JOBS = {"draft": 8, "full": 3}
FIRST_UPDATE_RUNS = 5
STREAMS = 200
STREAMED_JOBS = 4  # 30 s draft videos, 50 streams each
ETA_RUNS = 3


@contextmanager
def _servers(scratch: Path) -> Iterator[tuple[PostgresServer, RedisServer, S3Server]]:
    with ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer())
        own_redis = stack.enter_context(RedisServer(scratch / "redis"))
        s3 = S3Server(scratch / "s3").start()
        stack.callback(s3.stop)
        yield postgres, own_redis, s3


def _jobs_per_minute(base_urls: list[str], jobs: int) -> float:
    """Submit ``jobs`` 15 s videos at once, spread over ``base_urls``; jobs per minute."""
    started = time.perf_counter()
    job_ids = [generate(base_urls[number % len(base_urls)]) for number in range(jobs)]
    for job_id in job_ids:
        assert read_events(base_urls[0], job_id, timeout=900)[-1].data == {"status": "completed"}
    return jobs / (time.perf_counter() - started) * 60


def _first_update(base_url: str) -> tuple[float, float]:
    """Seconds from submit to the first ``update``, and to the first stage a worker sent."""
    started = time.perf_counter()
    job_id = generate(base_url)
    first = worker = None
    for event in follow(base_url, job_id):
        if first is None:
            first = time.perf_counter() - started
        if worker is None and event.data.get("status") == "processing":
            worker = time.perf_counter() - started
    assert first is not None
    assert worker is not None
    return first, worker


async def _stream(client: httpx.AsyncClient, job_id: str, latencies: list[float]) -> None:
    """Follow one job's stream to ``done``, noting each new stage's delivery latency (not
    the opening state's: that one is a catch-up, not a delivery)."""
    seen: int | None = None
    async with aconnect_sse(client, "GET", f"/api/v1/jobs/{job_id}/progress") as source:
        async for sse in source.aiter_sse():
            if sse.event == "done":
                return
            if not sse.data:
                continue
            done = json.loads(sse.data)["stages_completed"]
            if seen is not None and len(done) > seen and done[-1].get("completed_at"):
                latencies.append((time.time() - done[-1]["completed_at"]) * 1000)
            seen = len(done)


async def _stream_latency(base_urls: list[str]) -> list[float]:
    """Milliseconds from a stage recorded to its event read, over ``STREAMS`` streams."""
    latencies: list[float] = []
    job_ids = [generate(base_urls[0], duration=30) for _ in range(STREAMED_JOBS)]
    clients = [httpx.AsyncClient(base_url=url, timeout=600,
                                 limits=httpx.Limits(max_connections=STREAMS))
               for url in base_urls]
    try:
        await asyncio.gather(*(
            _stream(clients[number % len(clients)], job_ids[number % len(job_ids)], latencies)
            for number in range(STREAMS)))
    finally:
        for client in clients:
            await client.aclose()
    return latencies


def _resume(cluster: Cluster) -> tuple[float, float]:
    """With the worker rendering a 30 s video killed mid-scene: seconds until the lost piece
    renders again, and the job's wall time."""
    base_url = cluster.replicas[0].base_url

    started = time.perf_counter()
    job_id = generate(base_url, duration=30)
    wait_for_stage(base_url, job_id, "scene_2")
    victim = cluster.worker_holding(job_id)
    killed = time.perf_counter()
    victim.kill()
    victim.start()
    with redis.Redis.from_url(cluster.redis_url, decode_responses=True) as client:
        while not any(str(client.get(key)).endswith("#2")
                      for key in client.keys(f"aurora:lease:{job_id}:*")):
            time.sleep(0.05)
    resumed = time.perf_counter() - killed
    assert read_events(base_url, job_id, timeout=600)[-1].data == {"status": "completed"}
    return resumed, time.perf_counter() - started


def _print_latency(name: str, samples: list[float]) -> None:
    print(f"  {name:<44} {statistics.median(samples):7.1f} {percentile(samples, 0.99):7.1f}"
          f" {len(samples):7}")


def main() -> None:
    """Start the servers once, then each cluster the figures need, and print them."""
    print(f"machine: {os.cpu_count()} cores; workers of concurrency 1")
    with tempfile.TemporaryDirectory() as folder, _servers(Path(folder)) as servers:
        postgres, own_redis, s3 = servers
        scratch = Path(folder)

        def cluster(name: str, render_size: str) -> AbstractContextManager[Cluster]:
            with own_redis.client() as client:
                client.flushall()
            return running_cluster(scratch / name, database_url=postgres.new_database(),
                                   redis_url=own_redis.url, s3=s3, render_size=render_size)

        print("\njobs per minute (15 s videos)       1 worker   2 workers   one api, 2 processes")
        for size, jobs in THROUGHPUT_JOBS.items():
            with cluster(f"throughput-{size}", size) as running:
                urls = [replica.base_url for replica in running.replicas]
                _jobs_per_minute(urls, 1)  # warm-up: the rates are learned
                running.workers["w2"].stop()
                one = _jobs_per_minute(urls, jobs)
                running.revive()
                two = _jobs_per_minute(urls, jobs)
            alone = AppProcess(scratch / f"alone-{size}" / "data", command="api",
                               env={"AURORA_RENDER_SIZE": size,
                                    "AURORA_RENDER_WORKERS": "2"}).start()
            try:
                _jobs_per_minute([alone.base_url], 1)
                local = _jobs_per_minute([alone.base_url], jobs)
            finally:
                alone.stop()
            label = "draft (320x180)" if size == "draft" else "full (1280x720)"
            print(f"  {label:<32} {one:9.1f} {two:11.1f} {local:22.1f}   ({jobs} jobs)")

        with cluster("streams", "draft") as running:
            urls = [replica.base_url for replica in running.replicas]
            firsts = [_first_update(urls[0]) for _ in range(FIRST_UPDATE_RUNS)]
            print(f"\nsubmit → first update, median of {FIRST_UPDATE_RUNS} (idle cluster)")
            pending, worker = (statistics.median(column) for column in zip(*firsts, strict=True))
            print(f"  the pending state               {pending:6.3f} s")
            print(f"  the first stage a worker sends  {worker:6.3f} s")
            on_cluster = asyncio.run(_stream_latency(urls))
        alone = AppProcess(scratch / "alone-streams" / "data", command="api",
                           env={"AURORA_RENDER_SIZE": "draft"}).start()
        try:
            in_memory = asyncio.run(_stream_latency([alone.base_url]))
        finally:
            alone.stop()
        print(f"\nstage event latency, {STREAMS} streams on {STREAMED_JOBS} jobs"
              "          p50 ms  p99 ms  events")
        _print_latency("Redis Streams, streams over two replicas", on_cluster)
        _print_latency("in memory, one api", in_memory)

        with cluster("eta-and-resume", "full") as running:
            base_url = running.replicas[0].base_url
            watch_render(base_url, 15)  # warm-up: the rates are learned
            runs = [watch_render(base_url, 30) for _ in range(ETA_RUNS)]
            resumed, harmed = _resume(running)
        errors = " / ".join(f"{statistics.median(run.eta_error(point) for run in runs):4.0%}"
                            for point in (0.25, 0.5, 0.75))
        unharmed = statistics.median(run.wall for run in runs)
        print(f"\nETA error at 25% / 50% / 75% of a 30 s video (1280x720, 2 workers): {errors}")
        print("\na worker killed mid-scene (30 s video, 1280x720, 2 workers)")
        print(f"  its piece renders again after   {resumed:5.1f} s (lease 15 s, watched every 5 s)")
        print(f"  the job's wall time             {harmed:5.1f} s (unharmed: {unharmed:.1f} s)")


if __name__ == "__main__":
    main()
