"""Redis going away mid-job: open streams follow the job from the store to its end while Redis
is still down (the store has every state), and new jobs stream as usual once it is back (real
servers)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from services.contract import stages
from testkit.app_process import AppProcess
from testkit.redis_server import RedisServer
from testkit.sse import Event, assert_every_event_once_in_order, follow, generate, read_events

STREAM_SECONDS = 90.0  # the whole 30 s job, with room for a busy machine; a frozen stream fails
READ_SECONDS = 30.0  # the longest silence between two events (keep-alives included)
OUTAGE_LOGGED = "the progress feed is unavailable"  # the stream's one warning about it


def _follow_with_redis_stopped(app: AppProcess, job_id: str, redis: RedisServer) -> list[Event]:
    """The job's stream until ``done``; Redis stops at the first scene and stays down.

    Bounded: a stream still open after ``STREAM_SECONDS`` (one that repeats ``error`` while
    the store has every state) fails the test rather than hanging it."""
    events: list[Event] = []
    deadline = time.monotonic() + STREAM_SECONDS
    stopped = False
    for event in follow(app.base_url, job_id, timeout=READ_SECONDS):
        events.append(event)
        if not stopped and event.data.get("current_stage", "").startswith("scene_1_"):
            redis.stop()
            stopped = True
        assert time.monotonic() < deadline, (
            f"the stream did not end while Redis was down: {[e.event for e in events][-5:]}")
    return events


def test_a_stream_follows_the_job_to_its_end_while_redis_is_down(
    own_redis: RedisServer, fresh_data_dir: Path,
) -> None:
    app = AppProcess(fresh_data_dir, command="api",
                     env={"AURORA_REDIS_URL": own_redis.url, "AURORA_RENDER_SIZE": "draft",
                          "AURORA_RENDER_POOL": "processes"}).start()
    try:
        job_id = generate(app.base_url, duration=30)
        events = _follow_with_redis_stopped(app, job_id, own_redis)
        detail = httpx.get(f"{app.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
        outage_log = app.log()

        own_redis.start()
        after_outage = read_events(app.base_url, generate(app.base_url, duration=15))
    finally:
        app.stop()

    kinds = [event.event for event in events]
    assert "error" not in kinds  # the store could be read all along
    assert (kinds[-1], events[-1].data) == ("done", {"status": "completed"})
    ids = [int(event.id) for event in events]
    assert ids == sorted(set(ids))  # strictly increasing: nothing twice, nothing out of order

    updates = [event for event in events if event.event == "update"]
    order = ["pending", *stages.stage_sequence(5)]
    seen = [order.index(event.data["current_stage"]) for event in updates]
    assert seen == sorted(set(seen))
    assert updates[-1].data["current_stage"] == stages.COMPLETE
    assert detail["status"] == "completed"
    assert outage_log.count(OUTAGE_LOGGED) == 1  # once for the stream, not every second
    assert "Traceback" not in outage_log

    assert_every_event_once_in_order(after_outage)
    assert "Traceback" not in app.log()
