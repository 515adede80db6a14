"""The terminal client against a backend that keeps only part of the contract (the contract
peer): an extension it lacks is one clear line, and a dropped stream is resumed with
``Last-Event-ID``, as the dashboard does."""

from __future__ import annotations

import pytest

from testkit.peer import Drop, Peer, SendDone, SendUpdate
from tests.terminal.client_process import run_client


@pytest.mark.parametrize(("command", "line"), [
    ("cancel", "This backend cannot cancel jobs"),
    ("retry", "This backend cannot retry jobs"),
    ("delete", "This backend cannot delete jobs"),
    ("run-next", "This backend cannot show or reorder its queue"),
])
def test_an_action_the_backend_lacks_is_one_clear_line(peer: Peer, command: str,
                                                       line: str) -> None:
    peer.original_spec = True
    peer.add_job("job-1", status="failed", error="Out of ideas")

    done = run_client(command, "job-1", api_url=peer.url)

    assert done.returncode == 1
    assert done.stderr == f"aurora: {line}\n"
    assert done.stdout == ""


def test_an_action_on_a_job_the_backend_does_not_know_names_the_job(peer: Peer) -> None:
    done = run_client("retry", "job-404", api_url=peer.url)

    assert done.returncode == 2
    assert done.stderr == "aurora: Job job-404 not found\n"


def test_a_dropped_stream_is_resumed_with_last_event_id(peer: Peer) -> None:
    peer.add_job("job-1", [
        SendUpdate(status="processing", progress=15, current_stage="script_complete",
                   current_stage_display="Script ready"),
        Drop(),
        SendUpdate(status="completed", progress=100, current_stage="complete",
                   current_stage_display="Complete"),
        SendDone(),
    ])

    done = run_client("watch", "job-1", api_url=peer.url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        " 15%  Script ready",
        "      Connection lost, reconnecting (attempt 1 of 3)",
        "100%  Complete",
        "Video ready: python main.py download job-1",
    ]
    assert peer.last_event_ids("job-1") == [None, "1"]
