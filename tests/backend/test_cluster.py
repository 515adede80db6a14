"""The backend as a cluster, every part a real server on loopback: two API replicas on
PostgreSQL, Redis Streams and an S3 store (SeaweedFS), rendering on two Celery workers
(``python main.py worker``)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from services.backend.cluster.celery_app import RENDER_QUEUE
from services.contract import USER_HEADER, stages
from testkit.cluster import Cluster, running_cluster
from testkit.redis_server import RedisServer
from testkit.s3_server import S3Server
from testkit.sse import (
    FIFTEEN_SECOND_STAGES,
    assert_every_event_once_in_order,
    follow,
    generate,
    read_events,
    wait_for_stage,
    wait_for_stage_index,
)
from testkit.waiting import wait_until

THIRTY_SECOND_STAGES = [stages.PENDING, *stages.stage_sequence(5)]


def test_a_job_submitted_on_one_replica_renders_on_both_workers_and_streams_from_the_other(
        cluster: Cluster) -> None:
    submitted_to, streamed_from = cluster.replicas
    job_id = generate(submitted_to.base_url)
    cut = read_events(submitted_to.base_url, job_id, limit=3)  # then the connection drops
    # Two states at least after the cut, so the resume replays what it missed (resumed at
    # the current state, a stream sends that state once more, as on every reconnection).
    wait_for_stage_index(streamed_from.base_url, job_id,
                         FIFTEEN_SECOND_STAGES.index(cut[-1].data["current_stage"]) + 2)
    resumed = read_events(streamed_from.base_url, job_id, last_event_id=cut[-1].id)
    assert int(resumed[0].id) == int(cut[-1].id) + 1
    assert_every_event_once_in_order(cut + resumed)

    assert all(f"job {job_id}: " in worker.log() and " rendered" in worker.log()
               for worker in cluster.workers.values())
    video = httpx.get(f"{submitted_to.base_url}/api/v1/jobs/{job_id}",
                      timeout=10).json()["assets"]["final_video"]
    answer = httpx.get(video["url"], timeout=30)
    assert (answer.status_code, answer.headers["content-type"]) == (200, "video/mp4")
    assert len(answer.content) > 10_000


def test_a_redis_crash_mid_job_loses_no_job_no_task_and_no_event(
        cluster: Cluster, cluster_redis: RedisServer) -> None:
    first, second = cluster.replicas
    job_id = generate(first.base_url, duration=30)
    wait_for_stage(first.base_url, job_id, "scene_2")
    cluster_redis.restart(signal.SIGKILL)  # broker, streams, locks and leases: only the AOF left

    wire = read_events(second.base_url, job_id, last_event_id="0", timeout=180)
    assert_every_event_once_in_order(wire, THIRTY_SECOND_STAGES)
    detail = httpx.get(f"{first.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
    assert detail["status"] == "completed"


def test_a_cancel_on_the_other_replica_stops_the_worker_within_a_second(
        cluster: Cluster) -> None:
    first, second = cluster.replicas
    job_id = generate(first.base_url, duration=60)
    wait_for_stage(first.base_url, job_id, "scene_")
    busy = cluster.worker_holding(job_id)

    answer = httpx.post(f"{second.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10)
    assert answer.status_code == 202
    cancelled_at = time.monotonic()
    events = read_events(first.base_url, job_id)
    assert (events[-1].event, events[-1].data) == ("done", {"status": "failed"})
    assert events[-2].data["error"] == "Cancelled by user"

    # Within a second of the cancel the worker is idle: no CPU spent in the next half second.
    time.sleep(max(0.0, 1.0 - (time.monotonic() - cancelled_at)))
    before = busy.cpu_seconds()
    time.sleep(0.5)
    assert busy.cpu_seconds() - before < 0.05
    # Its queued pieces, taken later, render nothing: the job never starts again.
    time.sleep(3)
    detail = httpx.get(f"{second.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
    assert (detail["status"], detail["error"]) == ("failed", "Cancelled by user")
    assert detail["assets"]["final_video"] is None


def test_a_worker_killed_mid_scene_leaves_its_job_to_the_other_worker(cluster: Cluster) -> None:
    first, second = cluster.replicas
    job_id = generate(first.base_url, duration=30)
    wire = []
    stream = follow(second.base_url, job_id, timeout=180)
    for event in stream:  # until scene 3 is under way: scenes 1 and 2 are finished and kept
        wire.append(event)
        if event.data.get("current_stage") == stages.scene_generating(3):
            break
    kept_before = {key: value for key, value in cluster.objects().items()
                   if "scene_01" in key}
    assert kept_before

    victim = cluster.worker_holding(job_id)
    victim.kill()
    wire.extend(stream)  # the rest of the same stream, through the takeover, until done

    assert_every_event_once_in_order(wire, THIRTY_SECOND_STAGES)
    kept_after = cluster.objects()
    assert {key: kept_after[key] for key in kept_before} == kept_before  # not rewritten
    detail = httpx.get(f"{first.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
    assert detail["status"] == "completed"
    assert any("_a2" in key for key in kept_after)  # the lost piece's second attempt
    survivor = next(worker for worker in cluster.workers.values() if worker is not victim)
    assert "attempt 2 rendered" in survivor.log()


def test_one_users_six_queued_jobs_let_another_users_job_start_second(
        cluster: Cluster) -> None:
    """Fair share through both replicas: ana's six jobs, then ben's one, on another replica."""
    first, second = cluster.replicas

    def submit(base_url: str, user: str) -> str:
        answer = httpx.post(f"{base_url}/api/v1/generate", headers={USER_HEADER: user},
                            json={"prompt": "A fox in the snow", "duration": 15}, timeout=10)
        assert answer.status_code == 202, answer.text
        return str(answer.json()["job_id"])

    ana = [submit(first.base_url, "ana") for _ in range(6)]
    ben = submit(second.base_url, "ben")

    def status(job_id: str) -> str:
        return str(httpx.get(f"{first.base_url}/api/v1/jobs/{job_id}",
                             timeout=10).json()["status"])

    try:
        wait_until(lambda: status(ben) != "pending", timeout=120, what="ben's job starting")
        assert [status(job_id) for job_id in ana[1:]] == ["pending"] * 5
        assert status(ana[0]) != "pending"
    finally:
        for job_id in [*ana, ben]:
            httpx.post(f"{second.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10)


def test_thirty_jobs_with_workers_killed_at_random_each_end_once_with_their_duration(
        postgres_url: str, own_redis: RedisServer, s3_server: S3Server, tmp_path: Path) -> None:
    """And one task lost on its way to a worker, as a kill between the broker handing it out
    and the worker noting it has it would lose it (Kombu's Redis transport has that gap)."""
    chance = random.Random(13)  # the same kills every run: a failure can be run again
    with running_cluster(tmp_path, database_url=postgres_url, redis_url=own_redis.url,
                         s3=s3_server, render_size="draft") as cluster:
        jobs = [generate(cluster.replicas[number % 2].base_url) for number in range(30)]
        with own_redis.client() as client:  # a piece of the job released now: gone
            wait_until(lambda: client.lpop(RENDER_QUEUE) is not None, timeout=30)

        def ended() -> list[dict[str, Any]]:
            listed = httpx.get(f"{cluster.replicas[0].base_url}/api/v1/jobs",
                               params={"limit": 100}, timeout=10).json()["jobs"]
            return [job for job in listed if job["status"] in ("completed", "failed")]

        kills = 0
        while len(ended()) < len(jobs) and kills < 4:
            time.sleep(chance.uniform(1.0, 6.0))
            victim = chance.choice(list(cluster.workers.values()))
            victim.kill()
            kills += 1
            time.sleep(chance.uniform(0.0, 2.0))
            victim.start()
        wait_until(lambda: len(ended()) == len(jobs), timeout=150,  # inside the test's 180 s
                   what="every job ending after the kills")
        for worker in cluster.workers.values():  # only the killed lost theirs
            assert "lease was lost" not in worker.log()

        with own_redis.client() as client:
            for job_id in jobs:
                wire = read_events(cluster.replicas[1].base_url, job_id, last_event_id="0")
                assert [event.event for event in wire].count("done") == 1
                assert client.xlen(f"aurora:progress:{job_id}") == len(wire) - 1  # none after
                detail = httpx.get(f"{cluster.replicas[0].base_url}/api/v1/jobs/{job_id}",
                                   timeout=10).json()
                if detail["status"] == "failed":
                    assert detail["error"], job_id  # ended with a reason
                    continue
                assert_every_event_once_in_order(wire)
                video = tmp_path / f"{job_id}.mp4"
                video.write_bytes(httpx.get(detail["assets"]["final_video"]["url"],
                                            timeout=30).content)
                with av.open(str(video)) as container:
                    assert container.duration is not None
                    assert container.duration / 1_000_000 == pytest.approx(15, abs=0.2)
