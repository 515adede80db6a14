"""Redis going away mid-job: open streams say so and go on, the job still completes (the store
has every state), and the streams follow it again once Redis is back (real servers)."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.contract import stages
from testkit.app_process import AppProcess
from testkit.redis_server import RedisServer
from testkit.sse import Event, follow, generate

OUTAGE_ERRORS = 2  # `error` events read while Redis is down, before it is started again


def _follow_through_an_outage(app: AppProcess, job_id: str, redis: RedisServer) -> list[Event]:
    """The job's stream until ``done``; Redis stops once, at the first scene, and starts again
    once the stream has reported the outage."""
    events: list[Event] = []
    stopped = False
    for event in follow(app.base_url, job_id):
        events.append(event)
        if not stopped and event.data.get("current_stage", "").startswith("scene_1_"):
            redis.stop()
            stopped = True
        elif event.event == "error" and [seen.event for seen in events].count(
                "error") == OUTAGE_ERRORS:
            redis.start()
    return events


def test_a_stream_reports_the_outage_and_follows_the_job_to_its_end(
    own_redis: RedisServer, fresh_data_dir: Path,
) -> None:
    app = AppProcess(fresh_data_dir, command="api",
                     env={"AURORA_REDIS_URL": own_redis.url}).start()
    try:
        job_id = generate(app.base_url, duration=30)
        events = _follow_through_an_outage(app, job_id, own_redis)
        detail = httpx.get(f"{app.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
    finally:
        app.stop()

    kinds = [event.event for event in events]
    assert kinds.count("error") >= OUTAGE_ERRORS
    assert events[kinds.index("error")].data == {"error": "Could not read the job; retrying"}
    after_outage = kinds[len(kinds) - kinds[::-1].index("error"):]
    assert "update" in after_outage  # followed again once Redis was back
    assert (kinds[-1], events[-1].data) == ("done", {"status": "completed"})

    updates = [event for event in events if event.event == "update"]
    ids = [int(event.id) for event in updates]
    assert ids == sorted(set(ids))  # nothing twice, nothing out of order
    order = ["pending", *stages.stage_sequence(5)]
    seen = [order.index(event.data["current_stage"]) for event in updates]
    assert seen == sorted(set(seen))
    assert updates[-1].data["current_stage"] == stages.COMPLETE
    assert detail["status"] == "completed"
    assert "Traceback" not in app.log()
