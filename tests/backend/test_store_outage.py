"""A job store that goes away: the API says so (503, a clear message, when to try again)
instead of a bare 500, a job it catches still ends, and the queue goes on once it is back;
and a cancel wins over a slot reading the job from a store that answers over the network.

The backends render quick draft pictures with one render worker: the store is the point here,
and a minute of draft video still renders for seconds, time for an outage to catch it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.postgres_server import PostgresServer
from testkit.sse import generate, read_events, wait_for_stage
from testkit.waiting import wait_until


def test_the_api_answers_503_while_the_database_is_away(tmp_path: Path) -> None:
    with PostgresServer() as database:
        api = AppProcess(tmp_path / "data", command="api", env={
            **QUICK_RENDERS, "AURORA_DATABASE_URL": database.new_database()}).start()
        try:
            jobs = f"{api.base_url}/api/v1/jobs"
            assert httpx.get(jobs, timeout=10).status_code == 200
            database.stop()
            try:
                new_job = {"prompt": "A fox", "duration": 15}
                asked = [("GET", jobs, None), ("GET", f"{jobs}/{'a' * 16}", None),
                         ("POST", f"{api.base_url}/api/v1/generate", new_job)]
                with ThreadPoolExecutor(len(asked)) as clients:  # each waits out the store
                    answers = clients.map(lambda request: httpx.request(
                        request[0], request[1], json=request[2], timeout=30), asked)
                for (method, url, _), answer in zip(asked, answers, strict=True):
                    assert answer.status_code == 503, (method, url, answer.text)
                    assert answer.json() == {
                        "detail": "The job store cannot be reached; try again shortly"}
                    assert answer.headers["retry-after"] == "5"
            finally:
                database.start()
            wait_until(lambda: httpx.get(jobs, timeout=30).status_code == 200, timeout=20,
                       what="the API answering again")
        finally:
            api.stop()


def _status(api: AppProcess, job_id: str) -> dict[str, object]:
    answer = httpx.get(f"{api.base_url}/api/v1/jobs/{job_id}", timeout=30)
    return answer.json() if answer.status_code == 200 else {}


def test_a_job_caught_by_an_outage_still_ends_and_the_next_job_runs(tmp_path: Path) -> None:
    with PostgresServer() as database:
        api = AppProcess(tmp_path / "data", command="api", env={
            **QUICK_RENDERS, "AURORA_DATABASE_URL": database.new_database()}).start()
        try:
            caught = generate(api.base_url, duration=60)
            wait_for_stage(api.base_url, caught, "scene_")
            database.stop()
            try:  # until the job's next stage could not be saved
                wait_until(lambda: "cannot be reached" in api.log(), timeout=60,
                           what="the job meeting the outage")
            finally:
                database.start()
            wait_until(lambda: _status(api, caught).get("status") == "failed", timeout=60,
                       what="the caught job ending")
            assert _status(api, caught)["error"] == (
                "Could not save the job's progress: the job store could not be reached")
            after = generate(api.base_url, duration=15)
            assert read_events(api.base_url, after)[-1].data == {"status": "completed"}
        finally:
            api.stop()


def test_a_job_cancelled_as_its_slot_takes_it_never_renders(postgres_url: str,
                                                           tmp_path: Path) -> None:
    api = AppProcess(tmp_path / "data", command="api",
                     env={**QUICK_RENDERS, "AURORA_DATABASE_URL": postgres_url,
                          "AURORA_MAX_CONCURRENT_JOBS": "2"}).start()
    try:
        with httpx.Client(base_url=f"{api.base_url}/api/v1", timeout=30) as client:
            cancelled = []
            for _ in range(20):
                job_id = client.post("/generate", json={"prompt": "A fox", "duration": 15}
                                     ).json()["job_id"]
                assert client.post(f"/jobs/{job_id}/cancel").status_code == 202
                cancelled.append(job_id)
            time.sleep(2)  # a slot that wrongly went on would have stored a stage by now
            for job_id in cancelled:
                job = client.get(f"/jobs/{job_id}").json()
                assert (job["status"], job["error"]) == ("failed", "Cancelled by user")
                assert job["assets"]["scene_clips"] == []
    finally:
        api.stop()
