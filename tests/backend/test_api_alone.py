"""The backend as a program of its own: ``python main.py api`` serves the contract, no NiceGUI."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.sse import generate, read_events


@pytest.fixture(scope="module")
def api_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The backend alone, logging every module it imports (``python -X importtime``); it
    renders quick draft pictures (these tests are about the program, not the picture)."""
    app = AppProcess(tmp_path_factory.mktemp("api") / "data", command="api", env=QUICK_RENDERS,
                     python_options=["-X", "importtime"]).start()
    yield app
    app.stop()


def test_it_lists_jobs_and_streams_a_job_to_its_end(api_alone: AppProcess) -> None:
    assert httpx.get(f"{api_alone.base_url}/api/v1/jobs", timeout=10).json()["total"] == 0
    job_id = generate(api_alone.base_url, duration=15)
    events = read_events(api_alone.base_url, job_id)
    assert events[0].event == "update"
    assert events[-1].event == "done"
    assert events[-1].data == {"status": "completed"}


def test_it_loads_nothing_of_the_dashboard(api_alone: AppProcess) -> None:
    imported = {line.rsplit("|", 1)[-1].strip() for line in api_alone.log().splitlines()
                if line.startswith("import time:")}
    assert "services.backend.app" in imported, "the import log is not being read"
    dashboard = sorted(name for name in imported
                       if name.split(".")[0] in ("nicegui", "ui")
                       or name.startswith(("services.dashboard", "services.client")))
    assert dashboard == []


def test_it_answers_json_404_off_the_contract(api_alone: AppProcess) -> None:
    response = httpx.get(f"{api_alone.base_url}/api/v1/nope", timeout=10)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found"})
