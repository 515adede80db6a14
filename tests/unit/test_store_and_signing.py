"""The job store keeps records across reopening; signed URLs resist forgery and expiry."""

import os
import stat
import time
from pathlib import Path

import pytest

from services.backend.signing import AssetSigner, load_or_create_secret
from services.backend.store import (
    INTERRUPTED_MESSAGE,
    JobRecord,
    SqliteJobStore,
    StoreUnavailable,
)


def _record(job_id: str, status: str, created_at: float) -> JobRecord:
    return JobRecord(job_id=job_id, status=status, prompt="p", duration=15, aspect_ratio="16:9",
                     style="", scene_count=3, current_stage="pending", progress=0,
                     created_at=created_at, updated_at=created_at)


def test_records_survive_reopening_and_list_newest_first(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.insert(_record("a", "completed", 1.0))
    store.insert(_record("b", "processing", 2.0))
    store.insert(_record("c", "pending", 3.0))
    store.close()
    reopened = SqliteJobStore(tmp_path / "jobs.sqlite3")
    jobs, total = reopened.page()
    assert [job.job_id for job in jobs] == ["c", "b", "a"]
    assert total == 3
    jobs, total = reopened.page(status="completed")
    assert [job.job_id for job in jobs] == ["a"]
    assert total == 1


def test_restart_fails_running_jobs_and_keeps_queued_ones(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.insert(_record("running", "processing", 1.0))
    store.insert(_record("queued", "pending", 2.0))
    assert store.fail_interrupted() == ["running"]
    running = store.get("running")
    assert running is not None
    assert running.status == "failed"
    assert running.error == INTERRUPTED_MESSAGE
    queued = store.get("queued")
    assert queued is not None
    assert queued.status == "pending"


def test_a_store_that_cannot_be_read_raises_its_own_error(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.close()
    with pytest.raises(StoreUnavailable):
        store.get("a")
    with pytest.raises(StoreUnavailable):
        store.insert(_record("a", "pending", 1.0))


def test_secret_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    secret = load_or_create_secret(tmp_path)
    assert load_or_create_secret(tmp_path) == secret
    mode = stat.S_IMODE(os.stat(tmp_path / "signing.key").st_mode)
    assert mode == 0o600


def test_signatures_are_checked_for_forgery_and_expiry() -> None:
    signer = AssetSigner(b"k" * 32, ttl_seconds=3600)
    url = signer.url("job1", "video.mp4")
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    expires, sig = int(query["expires"]), query["sig"]
    assert signer.verify("job1", "video.mp4", expires, sig)
    assert not signer.verify("job2", "video.mp4", expires, sig)
    assert not signer.verify("job1", "scene_01.mp4", expires, sig)
    assert not signer.verify("job1", "video.mp4", expires + 1, sig)
    assert not AssetSigner(b"x" * 32, ttl_seconds=3600).verify("job1", "video.mp4", expires, sig)
    past = signer.url("job1", "video.mp4", now=time.time() - 7200)
    query = dict(part.split("=") for part in past.split("?")[1].split("&"))
    assert not signer.verify("job1", "video.mp4", int(query["expires"]), query["sig"])
