"""Watching a job while it renders at full size: a failure's reason and exit code, the live
display on a real terminal (tmux), Ctrl-C, and the actions on a job under way."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.app_process import AppProcess
from testkit.sse import generate, read_events, wait_for_stage
from testkit.waiting import wait_until
from tests.terminal.client_process import client_command, client_env, run_client, start_client


def status_of(backend: AppProcess, job_id: str) -> str:
    """The job's status as the backend holds it."""
    answer = httpx.get(f"{backend.api_url}/api/v1/jobs/{job_id}", timeout=10)
    status: str = answer.json()["status"]
    return status


def test_watch_of_a_job_that_fails_exits_1_with_the_backends_reason(
        full_size_backend: AppProcess) -> None:
    job_id = generate(full_size_backend.api_url, duration=30)
    watching = start_client("watch", job_id, api_url=full_size_backend.api_url)
    assert watching.stdout is not None
    assert "%" in watching.stdout.readline()  # it follows the job: its first stage is out

    httpx.post(f"{full_size_backend.api_url}/api/v1/jobs/{job_id}/cancel", timeout=10)
    out, err = watching.communicate(timeout=60)

    assert watching.returncode == 1, out + err
    assert err.strip() == f"aurora: Job {job_id} failed: Cancelled by user"


def test_cancel_retry_and_delete_act_on_the_job(full_size_backend: AppProcess) -> None:
    url = full_size_backend.api_url
    job_id = generate(url, duration=30)
    wait_for_stage(url, job_id, "scene_1")

    cancelled = run_client("cancel", job_id, api_url=url)
    assert cancelled.returncode == 0, cancelled.stderr
    assert read_events(url, job_id)[-1].data == {"status": "failed"}
    retried = run_client("retry", job_id, api_url=url)
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.startswith(f"Job {job_id} is queued again (attempt 2)")
    not_ended = run_client("delete", job_id, api_url=url)
    assert not_ended.returncode == 1
    assert "has not ended, so it cannot be deleted" in not_ended.stderr
    assert run_client("cancel", job_id, api_url=url).returncode == 0
    read_events(url, job_id)
    deleted = run_client("delete", job_id, api_url=url)

    assert deleted.returncode == 0, deleted.stderr
    assert httpx.get(f"{url}/api/v1/jobs/{job_id}", timeout=10).status_code == 404


def test_run_next_moves_a_waiting_job_to_the_front(full_size_backend: AppProcess) -> None:
    url = full_size_backend.api_url
    running, first, last = (generate(url, duration=30) for _ in range(3))
    wait_for_stage(url, running, "scene_")  # one job renders at a time: the other two wait

    moved = run_client("run-next", last, "--json", api_url=url)

    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["queue_position"] == 1
    position = httpx.get(f"{url}/api/v1/jobs/{first}", timeout=10).json()["queue_position"]
    assert position == 2
    for job_id in (running, first, last):
        assert run_client("cancel", job_id, api_url=url).returncode == 0


# What one screen of the live display must show, early enough in the job (a scene still to
# come) that Ctrl-C reaches it well before its end.
LIVE_DISPLAY = (r"━+.* \d+% ", r"✓ Script ready", r"Est\. (\d+ min )?\d+ sec remaining",
                r"⋯ Scene 5", r"⋯ Final composition")


class Tmux:
    """A tmux server of the test's own (its own socket), one window of a fixed size; the
    command's exit status goes to ``status_file`` (tmux's own word of it can come late or
    not at all, the pane marked dead as its terminal closes)."""

    def __init__(self, status_file: Path) -> None:
        self.socket = f"aurora-test-{uuid.uuid4().hex[:8]}"
        self.status_file = status_file

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, env=client_env(), check=True, timeout=10)
        return done.stdout

    def start(self, command: list[str], *, width: int = 100, height: int = 40) -> None:
        """Run ``command`` in the window, through a shell that writes down its exit status
        as it ends (a Ctrl-C reaches the shell too: it only waits on); the last screen stays."""
        self("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height))
        self("set-option", "-g", "remain-on-exit", "on")
        recorded = (f"trap true INT; {shlex.join(command)}; "
                    f"echo $? > {shlex.quote(str(self.status_file))}")
        self("respawn-pane", "-k", "-t", "main", shlex.join(["sh", "-c", recorded]))

    def screen(self) -> str:
        """What the window shows, wrapped lines joined."""
        return self("capture-pane", "-p", "-J", "-t", "main")

    def exit_status(self) -> int | None:
        """The command's exit status once it has ended (128 + the signal, as the shell says,
        if a signal ended it), else None."""
        written = self.status_file.read_text() if self.status_file.exists() else ""
        return int(written) if written.endswith("\n") else None


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A tmux server for the test, killed afterwards."""
    server = Tmux(tmp_path / "exit-status")
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True, timeout=10)


def test_the_live_display_on_a_terminal_and_ctrl_c_leaves_the_job_running(
        full_size_backend: AppProcess, tmux: Tmux) -> None:
    url = full_size_backend.api_url
    tmux.start(client_command("generate", "A fox runs through snow", "--duration", "30",
                              api_url=url))

    screens: list[str] = []

    def drawn() -> bool:
        """Whether one screen shows it all at once: the bar, a ✓ row, the ETA, a ⋯ row."""
        screens.append(tmux.screen())
        return all(re.search(pattern, screens[-1]) for pattern in LIVE_DISPLAY)
    wait_until(drawn, timeout=60, what="the bar, a ✓ row, the ETA and a ⋯ row on one screen")
    job = re.search(r"job ([A-Za-z0-9_-]+)", screens[-1])
    assert job is not None, screens[-1]
    job_id = job[1]

    tmux("send-keys", "-t", "main", "C-c")
    wait_until(lambda: tmux.exit_status() is not None, what="the client to stop")

    assert tmux.exit_status() == 130
    assert (f"Stopped watching; job {job_id} keeps running. Watch it again: "
            f"python main.py watch {job_id}") in tmux.screen()
    assert status_of(full_size_backend, job_id) in {"pending", "processing", "completed"}
    assert read_events(url, job_id)[-1].data == {"status": "completed"}


def test_a_backend_gone_while_watching_exits_3_once_the_reconnections_fail(
        tmp_path: Path) -> None:
    backend = AppProcess(tmp_path / "data", command="api",
                         env={"AURORA_RENDER_WORKERS": "1"}).start()
    try:
        job_id = generate(backend.api_url, duration=30)
        watching = start_client("watch", job_id, api_url=backend.api_url)
        assert watching.stdout is not None
        assert "%" in watching.stdout.readline()
    finally:
        backend.stop()
    out, err = watching.communicate(timeout=60)  # three reconnections, then it gives up

    assert watching.returncode == 3, out + err
    assert "Connection lost, reconnecting (attempt 3 of 3)" in out
    assert err == (f"aurora: Connection failed: Cannot reach the backend at {backend.api_url}. "
                   f"Watch it again: python main.py watch {job_id}\n")
