"""The API behind accounts: no token, no answer; owners; a user's own tokens; fair share.

One real backend (``main.py api``) with ``AURORA_AUTH=accounts`` and a service token, users
made with ``main.py users add``; every request a real HTTP request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from services.backend.app import create_app
from services.backend.settings import BackendSettings
from services.contract import API_PREFIX, USER_HEADER
from testkit.app_process import AppProcess
from testkit.sse import follow
from testkit.team_api import (
    SERVICE_TOKEN,
    cancel_unfinished,
    password_of,
    start_team_api,
)
from testkit.team_api import (
    acting_for as _as,
)
from testkit.users import add_user, remove_user
from testkit.waiting import wait_until

PASSWORDS = {name: password_of(name) for name in ("ana", "ben", "root")}
JOB = {"prompt": "A lighthouse in a storm", "duration": 15}
PATH_VALUES = {"job_id": "0123456789abcdef", "name": "final.mp4", "path": "no/such/route",
               "token_id": "abcd1234"}


@pytest.fixture(scope="module")
def guarded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = start_team_api(tmp_path_factory.mktemp("guarded") / "data", PASSWORDS,
                         admins=["root"], env={"AURORA_RENDER_SIZE": "draft",
                                               "AURORA_RENDER_WORKERS": "1"})
    yield app
    app.stop()


@pytest.fixture
def api(guarded_api: AppProcess) -> Iterator[httpx.Client]:
    """A client with no token; jobs a test leaves running are cancelled afterwards."""
    with httpx.Client(base_url=guarded_api.base_url, timeout=10) as client:
        yield client
    cancel_unfinished(guarded_api)



def _token_of(api: httpx.Client, user: str) -> str:
    answer = api.post(f"{API_PREFIX}/tokens", json={"label": "tests"}, headers=_as(user))
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_routes(tmp_path: Path) -> list[tuple[str, str]]:
    """Every method and path the backend's app serves under the API prefix, read off the app
    itself, so a route added later is in this list without anyone adding it."""
    app = create_app(BackendSettings(data_dir=tmp_path, auth="accounts"))
    routes = [(method, route.path) for route in iter_route_contexts(app.routes)
              if route.path and route.path.startswith(API_PREFIX)
              for method in sorted(route.methods or ())]
    assert len(routes) >= 10  # generate, jobs, a job, cancel, progress, assets, me, tokens…
    return routes


def test_every_api_route_without_a_token_is_401(api: httpx.Client, tmp_path: Path) -> None:
    refused = {}
    for method, path in api_routes(tmp_path):
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda match: PATH_VALUES[match[1]], path)
        answer = api.request(method, url, json={})
        refused[f"{method} {path}"] = (answer.status_code,
                                       answer.headers.get("www-authenticate"))
    assert refused == dict.fromkeys(refused, (401, "Bearer"))


def test_an_unknown_a_revoked_and_a_wrong_kind_of_token_are_refused(api: httpx.Client) -> None:
    assert api.get(f"{API_PREFIX}/jobs", headers=_bearer("aurora_made_up")).status_code == 401
    token = _token_of(api, "ana")
    assert api.get(f"{API_PREFIX}/me", headers=_bearer(token)).json() == {
        "name": "ana", "admin": False}
    acting = api.get(f"{API_PREFIX}/me", headers={**_bearer(token), USER_HEADER: "root"})
    assert acting.status_code == 403  # a user's token may not act for anyone else
    listed = api.get(f"{API_PREFIX}/tokens", headers=_bearer(token)).json()["tokens"]
    token_id = next(item["token_id"] for item in listed)
    assert token not in str(listed)  # listed by id and label, never the token again
    revoke = api.delete(f"{API_PREFIX}/tokens/{token_id}", headers=_as("ben"))
    assert revoke.status_code == 404  # ben cannot revoke ana's token
    assert api.delete(f"{API_PREFIX}/tokens/{token_id}", headers=_bearer(token)) \
        .status_code == 204
    assert api.get(f"{API_PREFIX}/jobs", headers=_bearer(token)).status_code == 401


def test_only_the_owner_or_an_admin_may_cancel(api: httpx.Client) -> None:
    token = _token_of(api, "ana")
    first = api.post(f"{API_PREFIX}/generate", json=JOB, headers=_bearer(token)).json()["job_id"]
    second = api.post(f"{API_PREFIX}/generate", json=JOB, headers=_as("ana")).json()["job_id"]
    for job_id in (first, second):
        assert api.get(f"{API_PREFIX}/jobs/{job_id}", headers=_as("ben")).json()["owner"] == "ana"
    refused = api.post(f"{API_PREFIX}/jobs/{first}/cancel", headers=_as("ben"))
    assert refused.status_code == 403
    assert "owner" in refused.json()["detail"]
    assert api.get(f"{API_PREFIX}/jobs/{first}", headers=_as("ben")).json()["status"] != "failed"
    assert api.post(f"{API_PREFIX}/jobs/{first}/cancel", headers=_bearer(token)) \
        .status_code == 202
    assert api.post(f"{API_PREFIX}/jobs/{second}/cancel", headers=_as("root")).status_code == 202


def test_a_removed_user_is_refused_at_once(api: httpx.Client, guarded_api: AppProcess) -> None:
    add_user(guarded_api.data_dir, "cleo", "cleo-secret-password")
    assert api.get(f"{API_PREFIX}/me", headers=_as("cleo")).status_code == 200
    token = _token_of(api, "cleo")
    remove_user(guarded_api.data_dir, "cleo")
    assert api.get(f"{API_PREFIX}/me", headers=_as("cleo")).status_code == 401
    assert api.get(f"{API_PREFIX}/me", headers=_bearer(token)).status_code == 401


def test_passwords_are_checked_for_the_service_token_only(api: httpx.Client) -> None:
    check = f"{API_PREFIX}/auth/sign-in"
    right = {"username": "ana", "password": PASSWORDS["ana"]}
    assert api.post(check, json=right, headers=_as("ana")).status_code == 403
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    assert api.post(check, json=right, headers=service).json() == {"name": "ana", "admin": False}
    wrong = {"username": "ana", "password": "not-her-password"}
    assert api.post(check, json=wrong, headers=service).status_code == 401
    nobody = {"username": "nobody", "password": "whatever-it-is"}
    assert api.post(check, json=nobody, headers=service).status_code == 401


def test_one_users_queue_does_not_hold_up_anothers_job(api: httpx.Client) -> None:
    """Fair share: ana queues six jobs, then ben one; ben's starts second, not seventh."""
    anas = [api.post(f"{API_PREFIX}/generate", json=JOB, headers=_as("ana")).json()["job_id"]
            for _ in range(6)]
    bens = api.post(f"{API_PREFIX}/generate", json=JOB, headers=_as("ben")).json()["job_id"]

    def status(job_id: str) -> str:
        answer: str = api.get(f"{API_PREFIX}/jobs/{job_id}", headers=_as("ben")).json()["status"]
        return answer

    wait_until(lambda: status(bens) != "pending", timeout=120)
    assert [status(job_id) for job_id in anas[1:]] == ["pending"] * 5
    assert status(anas[0]) in ("completed", "processing")


def test_a_job_put_ahead_gives_those_it_passed_their_later_eta(
        api: httpx.Client, guarded_api: AppProcess) -> None:
    def submit(user: str, duration: int) -> str:
        answer = api.post(f"{API_PREFIX}/generate", headers=_as(user),
                          json={"prompt": "A kite over the dunes", "duration": duration})
        job_id: str = answer.json()["job_id"]
        return job_id

    submit("ana", 60)  # renders while the others wait
    waiting = submit("ana", 15)
    stream = follow(guarded_api.base_url, waiting, headers=_as("ana"))
    before = next(stream).data
    submit("ben", 60)  # ben has not been served: his job goes before ana's second
    after = next(stream).data
    stream.close()
    assert (before["status"], after["status"]) == ("pending", "pending")
    assert after["estimated_time_remaining"] > before["estimated_time_remaining"] + 1


def test_the_log_holds_no_password_and_no_token(api: httpx.Client,
                                                guarded_api: AppProcess) -> None:
    token = _token_of(api, "ana")
    api.get(f"{API_PREFIX}/jobs", headers=_bearer(token))
    api.get(f"{API_PREFIX}/jobs", headers=_bearer("aurora_a_wrong_token"))
    api.post(f"{API_PREFIX}/auth/sign-in", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
             json={"username": "ana", "password": PASSWORDS["ana"]})
    time.sleep(0.5)  # the access log line of the last request
    log = guarded_api.log()
    assert "POST /api/v1/auth/sign-in" in log  # the log is the one these requests wrote
    for secret in (*PASSWORDS.values(), token, SERVICE_TOKEN, "aurora_a_wrong_token"):
        assert secret not in log
