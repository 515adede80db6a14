"""History at any size, on a real backend (``main.py api``): search, paging, delete and retention.

Large and old histories are written into the backend's store before it starts
(``testkit/stored_jobs.py``); deleting is tried on real renders, whose files are checked in the
data dir.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.contract import API_PREFIX, JobStatus
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.stored_jobs import store_before_start, stored_job
from testkit.team_api import acting_for as _as
from testkit.team_api import cancel_unfinished, start_team_api
from testkit.waiting import wait_until

DAY = 24 * 3600.0


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """An open backend holding a thousand ended jobs (and five to search among)."""
    data_dir = tmp_path_factory.mktemp("history") / "data"
    thousand = [stored_job(f"{number:016x}", prompt=f"Take {number}", at=float(number))
                for number in range(1000)]
    searched = [stored_job("a0000000000000f1", prompt="A red Fox runs through snow", at=2000),
                stored_job("a0000000000000f2", prompt="Morning at the CAFÉ", style="watercolour",
                        at=2001, owner="ben"),
                stored_job("a0000000000000f3", prompt="A fox in a café", style="Cinematic",
                        at=2002, owner="ana")]
    store_before_start(data_dir, thousand + searched)
    app = AppProcess(data_dir, command="api").start()
    yield app
    app.stop()


def _listed(app: AppProcess, **params: str | int) -> tuple[list[str], int]:
    answer = httpx.get(f"{app.base_url}{API_PREFIX}/jobs", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return [job["job_id"] for job in body["jobs"]], body["total"]


def test_a_search_matches_every_word_in_prompt_or_style_in_any_case_and_counts_them(
        history: AppProcess) -> None:
    assert _listed(history, q="fox") == (["a0000000000000f3", "a0000000000000f1"], 2)
    assert _listed(history, q="Café") == (["a0000000000000f3", "a0000000000000f2"], 2)
    assert _listed(history, q="fox CINEMATIC") == (["a0000000000000f3"], 1)
    assert _listed(history, q="watercolour", owner="ben") == (["a0000000000000f2"], 1)
    assert _listed(history, q="take 999", limit=1) == (["00000000000003e7"], 1)
    assert _listed(history, q="take")[1] == 1000  # total counts all matches, not the page
    too_long = httpx.get(f"{history.base_url}{API_PREFIX}/jobs", params={"q": "x" * 201},
                         timeout=10)
    assert too_long.status_code == 422


def test_offset_paging_over_a_thousand_jobs_returns_each_job_once(history: AppProcess) -> None:
    seen: list[str] = []
    for offset in range(0, 1003, 200):
        page, total = _listed(history, limit=200, offset=offset)
        assert total == 1003
        seen.extend(page)
    assert len(seen) == len(set(seen)) == 1003
    assert seen[:3] == ["a0000000000000f3", "a0000000000000f2", "a0000000000000f1"]


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = start_team_api(tmp_path_factory.mktemp("delete") / "data", ("ana", "ben"),
                         env=QUICK_RENDERS)
    yield app
    app.stop()


def _finished_job(app: AppProcess, user: str) -> str:
    """A real 15 s video of ``user``'s, rendered to the end."""
    with httpx.Client(base_url=f"{app.base_url}{API_PREFIX}", headers=_as(user),
                      timeout=10) as api:
        job_id: str = api.post("/generate", json={"prompt": "A kite over dunes",
                                                  "duration": 15}).json()["job_id"]
        wait_until(lambda: api.get(f"/jobs/{job_id}").json()["status"] == "completed",
                   timeout=120, what="the video finishing")
    return job_id


def test_delete_removes_the_record_and_every_file_and_its_urls_stop_working(
        team: AppProcess) -> None:
    job_id = _finished_job(team, "ana")
    media = team.data_dir / "media" / job_id
    assert any(media.iterdir())
    with httpx.Client(base_url=f"{team.base_url}{API_PREFIX}", headers=_as("ana"),
                      timeout=10) as api:
        detail = api.get(f"/jobs/{job_id}").json()
        listed = api.get("/jobs", params={"limit": 200}).json()["jobs"]
        assert next(job for job in listed if job["job_id"] == job_id)["thumbnail_url"]
        urls = [httpx.URL(team.base_url).join(url) for url in (
            detail["assets"]["final_video"]["url"],
            *(thumbnail["url"] for thumbnail in detail["assets"]["thumbnails"]))]
        assert api.get(urls[0]).status_code == 200

        assert api.delete(f"/jobs/{job_id}").status_code == 204

        assert not media.exists()
        assert api.get(f"/jobs/{job_id}").status_code == 404
        assert job_id not in [job["job_id"] for job in api.get("/jobs").json()["jobs"]]
        assert {api.get(url).status_code for url in urls} <= {403, 404}
        assert api.delete(f"/jobs/{job_id}").status_code == 404


def test_only_an_ended_job_of_ones_own_can_be_deleted(team: AppProcess) -> None:
    finished = _finished_job(team, "ana")
    with httpx.Client(base_url=f"{team.base_url}{API_PREFIX}", headers=_as("ben"),
                      timeout=10) as ben:
        assert ben.delete(f"/jobs/{finished}").status_code == 403
        running: str = ben.post("/generate", json={"prompt": "Rain on a roof",
                                                   "duration": 60}).json()["job_id"]
        answer = ben.delete(f"/jobs/{running}")
        assert answer.status_code == 409
        assert "cancel it first" in answer.json()["detail"]
    cancel_unfinished(team)
    assert (team.data_dir / "media" / finished).exists()  # neither refusal touched a file


def test_retention_deletes_only_ended_jobs_older_than_the_setting(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    now = time.time()
    records = {"old-done": stored_job("00000000000000a1", at=now - 3 * DAY),
               "old-failed": stored_job("00000000000000a2", status=JobStatus.FAILED,
                                     at=now - 3 * DAY),
               "old-waiting": stored_job("00000000000000a3", status=JobStatus.PENDING,
                                      at=now - 3 * DAY),
               "new-done": stored_job("00000000000000a4", at=now - 0.5 * DAY)}
    store_before_start(data_dir, list(records.values()))
    for record in records.values():  # each with a file, as a render leaves them
        folder = data_dir / "media" / record.job_id
        folder.mkdir(parents=True)
        (folder / "final.mp4").write_bytes(b"video")

    app = AppProcess(data_dir, command="api", env={
        "AURORA_RETENTION_DAYS": "2", "AURORA_MAX_CONCURRENT_JOBS": "1", **QUICK_RENDERS}).start()
    try:
        gone = {records["old-done"].job_id, records["old-failed"].job_id}

        def listed() -> set[str]:
            return set(_listed(app, limit=200)[0])

        wait_until(lambda: not listed() & gone, timeout=30, what="retention deleting")
        assert listed() == {records["old-waiting"].job_id, records["new-done"].job_id}
        assert {path.name for path in (data_dir / "media").iterdir()} >= \
            {records["new-done"].job_id}
        assert not any((data_dir / "media" / job_id).exists() for job_id in gone)
    finally:
        app.stop()


def test_the_log_of_a_cancelled_job_names_its_stages_the_stage_it_ended_at_and_why(
        team: AppProcess) -> None:
    with httpx.Client(base_url=f"{team.base_url}{API_PREFIX}", headers=_as("ana"),
                      timeout=10) as api:
        job_id: str = api.post("/generate", json={"prompt": "A slow pan over a harbour",
                                                  "duration": 60}).json()["job_id"]
        wait_until(lambda: api.get(f"/jobs/{job_id}").json()["current_stage"].startswith(
            "scene_2"), timeout=60, what="scene 2 under way")
        assert api.post(f"/jobs/{job_id}/cancel").status_code == 202
        lines = api.get(f"/jobs/{job_id}/log").json()["lines"]
        assert api.get("/jobs/0123456789abcdef/log").status_code == 404

    messages = [line["message"] for line in lines]
    assert messages[0] == "Queued by ana"
    assert messages.index("Script ready") < messages.index("Scene 1 ready")
    assert "Cancel asked by ana" in messages
    assert lines[-1]["level"] == "warning"
    assert re.fullmatch(r"Ended at “(Generating scene|Scene) \d+( ready)?”: Cancelled by user",
                        messages[-1])
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
    assert not any("token" in message.lower() or "password" in message.lower()
                   for message in messages)
