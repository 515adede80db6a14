"""Each command of the terminal client against the real backend, run as a user runs it, its
output piped: what it prints, its exit code, and what the backend then holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import httpx
import pytest

from services.contract import stages
from testkit.app_process import AppProcess, free_port, quick_dashboard
from testkit.sse import FIFTEEN_SECOND_STAGES, generate, read_events
from testkit.webhook_receiver import WebhookReceiver
from tests.terminal.client_process import run_client

STAGE_LINE = re.compile(r"^ *\d+%  (?P<stage>.+?)(  \(.+\))?$")


def job_of(backend: AppProcess, job_id: str) -> dict[str, object]:
    """The job as the backend holds it."""
    answer = httpx.get(f"{backend.api_url}/api/v1/jobs/{job_id}", timeout=10)
    assert answer.status_code == 200, answer.text
    detail: dict[str, object] = answer.json()
    return detail


def test_generate_no_wait_prints_the_job_id(quick_backend: AppProcess) -> None:
    done = run_client("generate", "A lighthouse in a storm", "--no-wait",
                      api_url=quick_backend.api_url)

    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip()
    assert job_of(quick_backend, job_id)["prompt"] == "A lighthouse in a storm"


def test_generate_with_a_webhook_url_has_the_job_end_posted_there(
        quick_backend: AppProcess) -> None:
    receiver = WebhookReceiver()
    with receiver.running():
        done = run_client("generate", "A kite over the dunes", "--webhook-url", receiver.url,
                          api_url=quick_backend.api_url)
        posted = receiver.wait_for(1)

    assert done.returncode == 0, done.stderr
    body = json.loads(posted[0].body)
    assert (body["event"], body["job"]["prompt"]) == ("job.completed", "A kite over the dunes")
    refused = run_client("generate", "A kite", "--webhook-url", "https://elsewhere.example/h",
                         api_url=quick_backend.api_url)
    assert refused.returncode == 2
    assert "webhook_url" in refused.stderr


def test_generate_on_a_pipe_prints_each_stage_on_its_line_in_contract_order(
        quick_backend: AppProcess) -> None:
    done = run_client("generate", "A fox runs through snow", "--duration", "15",
                      api_url=quick_backend.api_url)

    assert done.returncode == 0, done.stderr
    first, *middle, last = done.stdout.splitlines()
    job_id = first.removeprefix("Job ").removesuffix(" submitted")
    stages_said = [match["stage"] for line in middle if (match := STAGE_LINE.match(line))]
    assert stages_said == [stages.stage_display(stage) for stage in FIFTEEN_SECOND_STAGES]
    assert len(middle) == len(stages_said)
    assert last == f"Video ready: python main.py download {job_id}"
    assert job_of(quick_backend, job_id)["status"] == "completed"


def test_json_lines_parse_and_end_with_a_done_object(quick_backend: AppProcess) -> None:
    done = run_client("generate", "A city at night", "--json", api_url=quick_backend.api_url)

    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    submitted, *updates, ending = objects
    assert submitted["event"] == "submitted"
    job_id = submitted["job_id"]
    assert {update["event"] for update in updates} == {"update"}
    assert [update["current_stage"] for update in updates] == FIFTEEN_SECOND_STAGES
    assert ending == {"event": "done", "job_id": job_id, "status": "completed", "error": None}


def test_download_writes_the_video_pyav_opens_at_its_duration(
        quick_backend: AppProcess, tmp_path: Path) -> None:
    job_id = generate(quick_backend.api_url, duration=30)
    assert read_events(quick_backend.api_url, job_id)[-1].data == {"status": "completed"}

    done = run_client("download", job_id, "-o", str(tmp_path / "fox.mp4"),
                      api_url=quick_backend.api_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Saved {tmp_path / 'fox.mp4'} (")
    with av.open(str(tmp_path / "fox.mp4")) as container:
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 30) <= 0.5
        assert len(container.streams.video) == 1
    assert not (tmp_path / "fox.mp4.part").exists()


def test_jobs_lists_the_backends_jobs_newest_first_as_a_table_and_as_json(
        quick_backend: AppProcess) -> None:
    older = generate(quick_backend.api_url, prompt="An older job about owls")
    newer = generate(quick_backend.api_url, prompt="A newer job about owls")
    for job_id in (older, newer):
        read_events(quick_backend.api_url, job_id)

    table = run_client("jobs", "--search", "owls", api_url=quick_backend.api_url)
    listed = run_client("jobs", "--search", "owls", "--json", api_url=quick_backend.api_url)

    assert table.returncode == listed.returncode == 0, table.stderr + listed.stderr
    heading, *rows = table.stdout.splitlines()
    assert heading.split() == ["JOB", "STATUS", "PROGRESS", "LENGTH", "CREATED", "OWNER",
                               "PROMPT"]
    assert [row.split()[:3] for row in rows] == [[newer, "completed", "100%"],
                                                 [older, "completed", "100%"]]
    assert rows[0].endswith("A newer job about owls")
    assert [json.loads(line)["job_id"] for line in listed.stdout.splitlines()] == [newer, older]


@pytest.mark.parametrize(("argument", "value"), [("--duration", "45"),
                                                 ("--aspect-ratio", "4:3")])
def test_a_bad_argument_exits_2_naming_it(quick_backend: AppProcess, argument: str,
                                          value: str) -> None:
    done = run_client("generate", "A fox", argument, value, api_url=quick_backend.api_url)

    assert done.returncode == 2
    assert f"argument {argument}: invalid choice:" in done.stderr
    assert value in done.stderr


def test_an_address_that_is_no_backends_exits_2_naming_it() -> None:
    done = run_client("jobs", api_url="localhost:8080")

    assert done.returncode == 2
    assert "argument --api-url: 'localhost:8080' is not a backend's address" in done.stderr


def test_an_unknown_job_exits_2_naming_it(quick_backend: AppProcess) -> None:
    done = run_client("watch", "no-such-job", api_url=quick_backend.api_url)

    assert done.returncode == 2
    assert done.stderr.strip() == "aurora: Job no-such-job not found"


def test_an_unreachable_backend_exits_3_saying_where() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"

    for command in (["generate", "A fox"], ["watch", "some-job"], ["jobs"]):
        done = run_client(*command, api_url=nowhere)  # fails the test if it never gives up
        assert done.returncode == 3, command
        assert done.stderr.strip() == f"aurora: Cannot reach the backend at {nowhere}"


def test_the_dashboards_embedded_backend_answers_the_client(tmp_path: Path) -> None:
    with quick_dashboard(tmp_path / "data") as dashboard:
        done = run_client("generate", "A heron at dusk", api_url=dashboard.base_url)
        listed = run_client("jobs", "--status", "completed", api_url=dashboard.base_url)

    assert done.returncode == 0, done.stderr
    job_id = done.stdout.splitlines()[0].removeprefix("Job ").removesuffix(" submitted")
    assert done.stdout.splitlines()[-1] == f"Video ready: python main.py download {job_id}"
    assert listed.stdout.splitlines()[1].split()[:2] == [job_id, "completed"]


def test_an_empty_prompt_exits_2_before_anything_is_sent(quick_backend: AppProcess) -> None:
    before = httpx.get(f"{quick_backend.api_url}/api/v1/jobs", timeout=10).json()["total"]

    done = run_client("generate", "   ", api_url=quick_backend.api_url)

    assert done.returncode == 2
    assert done.stderr == "aurora: Invalid prompt: prompt must not be empty\n"
    assert httpx.get(f"{quick_backend.api_url}/api/v1/jobs", timeout=10).json()["total"] == before
