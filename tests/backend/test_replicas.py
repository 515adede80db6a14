"""Two API replicas on the same engines (PostgreSQL, Redis Streams, an S3 store): whichever one
a client asks, it reads the same jobs, the same exact streams and the same files.

(Here each replica renders the jobs submitted to it in its own processes, quick draft pictures
with one render worker, as these tests are about the jobs, streams and files, not the picture;
``test_cluster.py`` renders them on Celery workers shared by both.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.s3_server import S3Server
from testkit.sse import (
    FIFTEEN_SECOND_STAGES,
    assert_every_event_once_in_order,
    generate,
    read_events,
    wait_for_stage_index,
)


@pytest.fixture
def replicas(postgres_url: str, redis_url: str, s3_server: S3Server, media_url: str,
             tmp_path: Path) -> Iterator[tuple[AppProcess, AppProcess]]:
    """``python main.py api`` twice, each with its own data dir, sharing every engine."""
    env = {**s3_server.env, **QUICK_RENDERS, "AURORA_DATABASE_URL": postgres_url,
           "AURORA_REDIS_URL": redis_url, "AURORA_MEDIA_URL": media_url,
           "AURORA_RENDER_POOL": "processes"}
    first = AppProcess(tmp_path / "a" / "data", command="api", env=env).start()
    try:
        second = AppProcess(tmp_path / "b" / "data", command="api", env=env).start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_job_submitted_on_one_replica_streams_from_the_other(
        replicas: tuple[AppProcess, AppProcess]) -> None:
    submitted_to, streamed_from = replicas
    job_id = generate(submitted_to.base_url)
    wire = read_events(streamed_from.base_url, job_id)
    assert_every_event_once_in_order(wire)
    for replica in replicas:
        listed = httpx.get(f"{replica.base_url}/api/v1/jobs", timeout=10).json()["jobs"]
        assert [job["job_id"] for job in listed] == [job_id]
        video = httpx.get(f"{replica.base_url}/api/v1/jobs/{job_id}",
                          timeout=10).json()["assets"]["final_video"]
        answer = httpx.get(video["url"], timeout=30)
        assert (answer.status_code, answer.headers["content-type"]) == (200, "video/mp4")


def test_a_stream_cut_on_one_replica_resumes_on_the_other_with_every_later_event_once(
        replicas: tuple[AppProcess, AppProcess]) -> None:
    first, second = replicas
    job_id = generate(first.base_url)
    early = read_events(second.base_url, job_id, limit=3)
    # two states at least after the cut: a stream that restarted from the current state would
    # skip one of them
    at_cut = FIFTEEN_SECOND_STAGES.index(early[-1].data["current_stage"])
    wait_for_stage_index(first.base_url, job_id, at_cut + 2)

    resumed = read_events(first.base_url, job_id, last_event_id=early[-1].id)

    assert int(resumed[0].id) == int(early[-1].id) + 1
    assert_every_event_once_in_order(early + resumed)
