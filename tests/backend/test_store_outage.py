"""A job store that goes away: the API says so (503, a clear message, when to try again)
instead of a bare 500, and answers as before once the store is back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from testkit.app_process import AppProcess
from testkit.postgres_server import PostgresServer


def test_the_api_answers_503_while_the_database_is_away(tmp_path: Path) -> None:
    with PostgresServer() as database:
        api = AppProcess(tmp_path / "data", command="api",
                         env={"AURORA_DATABASE_URL": database.new_database()}).start()
        try:
            jobs = f"{api.base_url}/api/v1/jobs"
            assert httpx.get(jobs, timeout=10).status_code == 200
            database.stop()
            try:
                new_job = {"prompt": "A fox", "duration": 15}
                for method, url, body in [
                        ("GET", jobs, None), ("GET", f"{jobs}/{'a' * 16}", None),
                        ("POST", f"{api.base_url}/api/v1/generate", new_job)]:
                    answer = httpx.request(method, url, json=body, timeout=30)
                    assert answer.status_code == 503, (method, url, answer.text)
                    assert answer.json() == {
                        "detail": "The job store cannot be reached; try again shortly"}
                    assert answer.headers["retry-after"] == "5"
            finally:
                database.start()
            deadline = time.monotonic() + 20
            while httpx.get(jobs, timeout=30).status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.5)
        finally:
            api.stop()
