"""Exact resume over real HTTP, with progress in process and on Redis Streams: a stream cut after
k events and reopened with ``Last-Event-ID`` gets every later event once, in order.

Every event id on the wire is counted: a job's ids go up by one per state, and ``done`` takes the
next, so one connection's events followed by the resumed one's must be consecutive numbers.

The backends render quick draft pictures with one render worker: these tests are about the
stream, not the picture, and one worker spaces a job's stages out (a scene about every quarter
second) instead of finishing scenes together.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.contract import stages
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.redis_server import RedisServer
from testkit.sse import (
    FIFTEEN_SECOND_STAGES,
    assert_every_event_once_in_order,
    generate,
    read_events,
    wait_for_stage_index,
)

STAGES = FIFTEEN_SECOND_STAGES


def _env(engine: str, redis_server: RedisServer) -> dict[str, str]:
    # this backend renders its jobs itself: Redis carries their progress only
    return ({**QUICK_RENDERS, "AURORA_REDIS_URL": redis_server.url,
             "AURORA_RENDER_POOL": "processes"} if engine == "redis" else QUICK_RENDERS)


@pytest.fixture(scope="module", params=["memory", "redis"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        redis_server: RedisServer) -> Iterator[AppProcess]:
    """The backend alone (``python main.py api``) with each progress feed."""
    engine = request.param
    app = AppProcess(tmp_path_factory.mktemp(f"api-{engine}") / "data", command="api",
                     env=_env(engine, redis_server)).start()
    yield app
    app.stop()


def test_a_job_streams_the_contracts_stages_in_order(api: AppProcess) -> None:
    wire = read_events(api.base_url, generate(api.base_url))
    assert wire[0].retry == 3000
    assert_every_event_once_in_order(wire)


def test_a_stream_cut_mid_job_resumes_with_every_later_event_once(api: AppProcess) -> None:
    job_id = generate(api.base_url)
    early = read_events(api.base_url, job_id, limit=3)
    # Two states at least after the cut: a stream that restarted from the current state would
    # skip one of them.
    wait_for_stage_index(api.base_url, job_id, STAGES.index(early[-1].data["current_stage"]) + 2)

    resumed = read_events(api.base_url, job_id, last_event_id=early[-1].id)

    assert resumed[0].retry == 3000
    assert int(resumed[0].id) == int(early[-1].id) + 1
    assert_every_event_once_in_order(early + resumed)


def test_a_stream_resumed_after_the_job_ended_replays_what_it_missed(api: AppProcess) -> None:
    job_id = generate(api.base_url)
    early = read_events(api.base_url, job_id, limit=2)
    wait_for_stage_index(api.base_url, job_id, STAGES.index(stages.COMPLETE))

    resumed = read_events(api.base_url, job_id, last_event_id=early[-1].id)

    assert len(resumed) > 2
    assert_every_event_once_in_order(early + resumed)


def test_a_stream_resumed_at_the_current_state_gets_it_once_more_and_nothing_later(
    api: AppProcess,
) -> None:
    job_id = generate(api.base_url)
    wire = read_events(api.base_url, job_id)
    last_update = wire[-2]

    resumed = read_events(api.base_url, job_id, last_event_id=last_update.id)

    assert [(event.event, event.id) for event in resumed] == [
        ("update", last_update.id), ("done", wire[-1].id)]
    assert resumed[0].data["current_stage"] == stages.COMPLETE


def test_a_last_event_id_that_is_not_ours_starts_with_the_current_state(
    api: AppProcess,
) -> None:
    job_id = generate(api.base_url)
    ending = [(event.event, event.id) for event in read_events(api.base_url, job_id)[-2:]]
    for header in ("", "soon", "-3", "7 8"):
        resumed = read_events(api.base_url, job_id, last_event_id=header)
        assert [(event.event, event.id) for event in resumed] == ending, header


@pytest.mark.parametrize(("engine", "replayed"), [("memory", False), ("redis", True)])
def test_after_a_backend_restart_only_redis_still_replays(
    fresh_data_dir: Path, redis_server: RedisServer, engine: str, replayed: bool,
) -> None:
    """The in-process history goes with the process: a resume then starts from the stored
    current state. The Redis streams outlive it, so the resume stays exact."""
    app = AppProcess(fresh_data_dir, command="api", env=_env(engine, redis_server)).start()
    try:
        job_id = generate(app.base_url)
        wire = read_events(app.base_url, job_id)
    finally:
        app.stop()
    restarted = AppProcess(fresh_data_dir, command="api", env=_env(engine, redis_server)).start()
    try:
        resumed = read_events(restarted.base_url, job_id, last_event_id=wire[1].id)
    finally:
        restarted.stop()
    if replayed:
        assert [(event.id, event.data) for event in resumed] == [
            (event.id, event.data) for event in wire[2:]]
    else:
        assert [event.id for event in resumed] == [event.id for event in wire[-2:]]
