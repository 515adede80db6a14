"""The terminal client where people sign in: ``AURORA_API_TOKEN`` names the user, ``--mine``
picks their jobs, and a missing token says where one comes from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.contract import API_PREFIX
from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.team_api import acting_for, start_team_api
from tests.terminal.client_process import run_client


@pytest.fixture(scope="module")
def team_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """A backend with the accounts ana and ben, rendering quick drafts."""
    api = start_team_api(tmp_path_factory.mktemp("team") / "data", ["ana", "ben"],
                         env=QUICK_RENDERS)
    yield api
    api.stop()


def token_of(api: AppProcess, user: str) -> str:
    """A new API token of ``user``'s, as ``/account`` makes one."""
    made = httpx.post(f"{api.api_url}{API_PREFIX}/tokens", json={"label": "terminal"},
                      headers=acting_for(user), timeout=10)
    assert made.status_code in (200, 201), made.text
    token: str = made.json()["token"]
    return token


def test_mine_lists_only_the_jobs_of_the_user_the_token_names(team_api: AppProcess,
                                                              tmp_path: Path) -> None:
    ana = token_of(team_api, "ana")
    own = run_client("generate", "Ana's owl", "--no-wait", api_url=team_api.api_url, token=ana)
    assert own.returncode == 0, own.stderr
    httpx.post(f"{team_api.api_url}{API_PREFIX}/generate", headers=acting_for("ben"),
               json={"prompt": "Ben's heron", "duration": 15}, timeout=10)

    mine = run_client("jobs", "--mine", "--json", api_url=team_api.api_url, token=ana)
    everyone = run_client("jobs", "--json", api_url=team_api.api_url, token=ana)

    assert mine.returncode == everyone.returncode == 0, mine.stderr + everyone.stderr
    assert [json.loads(line)["job_id"] for line in mine.stdout.splitlines()] == [
        own.stdout.strip()]
    assert {json.loads(line)["owner"] for line in everyone.stdout.splitlines()} == {"ana",
                                                                                     "ben"}


def test_no_token_exits_2_saying_where_one_comes_from(team_api: AppProcess) -> None:
    done = run_client("jobs", api_url=team_api.api_url)

    assert done.returncode == 2
    assert done.stderr.startswith("aurora: The backend refused the request (401)")
    assert "set AURORA_API_TOKEN" in done.stderr
    assert "/account" in done.stderr
