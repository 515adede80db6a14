"""A job's end is its last stage: whatever stages its finished work still has to publish, only
"complete" says the job is completed (a stream stops at the first state that says so)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.backend.engines import feeds, job_store, media_store
from services.backend.eta import Throughput
from services.backend.metrics import BackendMetrics
from services.backend.planner import EtaPlanner
from services.backend.presenter import JobPresenter
from services.backend.publisher import Publisher
from services.backend.queue import new_record
from services.backend.settings import BackendSettings
from services.backend.store import BackendStore
from services.backend.waiting_line import WaitingLine
from services.backend.webhooks import webhooks_for
from services.contract import GenerateRequest, JobStatus, stages


@pytest.fixture
def settings(tmp_path: Path) -> BackendSettings:
    """The embedded backend's engines: SQLite, the memory feed, the data dir's media."""
    return BackendSettings(data_dir=tmp_path, database_url=None, redis_url=None,
                           media_url=None)


@pytest.fixture
async def store(settings: BackendSettings) -> AsyncIterator[BackendStore]:
    store = job_store(settings)
    await store.open()
    yield store
    await store.close()


def publisher_of(store: BackendStore, settings: BackendSettings
                 ) -> tuple[Publisher, JobPresenter]:
    """The embedded backend's publisher and presenter over ``store`` (memory feed)."""
    feed, changes = feeds(settings)
    media, _ = media_store(settings)
    line = WaitingLine()
    planner = EtaPlanner(store=store, throughput=Throughput(store), workers=1, slots=1,
                         ahead_of=line.ahead_of)
    presenter = JobPresenter(store=store, feed=feed, media=media, planner=planner, line=line)
    webhooks = webhooks_for(settings, store, BackendMetrics(store).webhook_outcome)
    return Publisher(store=store, feed=feed, changes=changes, presenter=presenter,
                     webhooks=webhooks), presenter


async def test_a_composition_finished_before_composing_was_published_completes_only_at_the_end(
        store: BackendStore, settings: BackendSettings) -> None:
    # On a cluster, the process that finished the music can die before publishing
    # "composing"; the composition then publishes it, and "complete", itself.
    publisher, presenter = publisher_of(store, settings)
    record = new_record(GenerateRequest(prompt="A fox", duration=15), "draft", owner=None)
    await store.insert(record)
    record.status = JobStatus.PROCESSING
    record.script = ["a scene"] * record.scene_count
    record.assets = {
        "scenes": {str(n): {"clip": f"scene_{n}.mp4", "thumbnail": f"scene_{n}.jpg",
                            "created_at": 0.0} for n in range(1, record.scene_count + 1)},
        "audio": {"file": "music.m4a", "created_at": 0.0}}
    record.current_stage = stages.AUDIO_COMPLETE
    record.assets["final"] = {"file": "video.mp4", "created_at": 0.0}

    assert await publisher.catch_up(record) == 2

    held = await presenter.held_after(record.job_id, 0)
    assert [(state.current_stage, state.status) for _, state in held] == [
        (stages.COMPOSING, JobStatus.PROCESSING), (stages.COMPLETE, JobStatus.COMPLETED)]
