"""Signed in, or nowhere: the dashboard with ``AURORA_AUTH=accounts``, in a real browser.

One dashboard with its embedded backend and three users (made with ``main.py users add``);
each test signs in in browser contexts of its own, as different people would.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import socketio
from playwright.sync_api import BrowserContext, Page, expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.browser import VIEWPORT, job_card, job_toast
from testkit.browser import start_job as browser_start_job
from testkit.users import add_user, remove_user
from testkit.waiting import wait_until

PASSWORDS = {"ana": "ana-secret-password", "ben": "ben-secret-password"}
WAIT_SECONDS = 2  # the first wait after five wrong passwords, kept short for the test
PROMPT = "A paper boat on a rainy street"


def _team_dashboard(data: Path) -> AppProcess:
    """The dashboard and its embedded backend, with accounts and the team's users."""
    for name, password in PASSWORDS.items():
        add_user(data, name, password)
    return AppProcess(data, env={"AURORA_AUTH": "accounts",
                                 "AURORA_SIGN_IN_WAIT_SECONDS": str(WAIT_SECONDS)}).start()


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    app = _team_dashboard(tmp_path_factory.mktemp("team") / "data")
    yield app
    app.stop()


@pytest.fixture
def own_team_app(tmp_path: Path) -> Iterator[AppProcess]:
    """A dashboard of the test's own: every test here signs in from the same address."""
    app = _team_dashboard(tmp_path / "data")
    yield app
    app.stop()


@pytest.fixture
def people(browser: Any) -> Iterator[Any]:
    """A fresh browser context per person (their own cookies) on an app, closed afterwards."""
    contexts: list[BrowserContext] = []

    def new_person(app: AppProcess) -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORT, base_url=app.base_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield new_person
    for context in contexts:
        context.close()


def sign_in(page: Page, base_url: str, name: str, password: str, *, path: str = "/") -> None:
    """Sign in through the form ``path`` sends an unsigned browser to."""
    page.goto(base_url + path)
    expect(page).to_have_url(f"{base_url}/login?next={path.replace('/', '%2F')}")
    page.get_by_test_id("username-input").fill(name)
    page.get_by_test_id("password-input").fill(password)
    page.get_by_test_id("login-button").click()


def signed_in_tab(context: BrowserContext, base_url: str, name: str, path: str = "/") -> Page:
    page = context.new_page()
    sign_in(page, base_url, name, PASSWORDS[name], path=path)
    expect(page).to_have_url(base_url + path)
    return page


def start_job(page: Page, duration: int = 15) -> str:
    """A job of the page's user, started through the embedded API with their session."""
    answer = page.request.post(f"{API_PREFIX}/generate",
                               data={"prompt": PROMPT, "duration": duration})
    assert answer.status == 202, answer.text()
    job_id: str = answer.json()["job_id"]
    return job_id


def test_every_page_and_media_url_needs_a_session(team_app: AppProcess, people: Any) -> None:
    paths = ["/", "/jobs", "/jobs?status=failed", "/account", "/workspace/0123456789abcdef",
             "/media?url=http%3A%2F%2F127.0.0.1%2Fapi%2Fv1%2Fassets%2Fx%2Fy.jpg"]
    with httpx.Client(base_url=team_app.base_url) as anonymous:
        for path in paths:
            answer = anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=%2F"), path
        assert anonymous.get(f"{API_PREFIX}/jobs").status_code == 401
    page = signed_in_tab(people(team_app), team_app.base_url, "ana", "/jobs")
    expect(page.get_by_test_id("user-menu")).to_contain_text("ana")
    job_id = start_job(page)
    wait_until(lambda: page.request.get(f"{API_PREFIX}/jobs/{job_id}").json()["status"]
               == "completed", timeout=120, what="the job completing")
    page.goto(f"{team_app.base_url}/workspace/{job_id}")
    video = page.locator("video").first
    expect(video).to_be_visible()
    source = video.get_attribute("src")
    assert source is not None
    assert source.startswith("/media?")
    assert page.request.get(source).status == 200  # the relay, signed in
    with httpx.Client(base_url=team_app.base_url) as anonymous:
        assert anonymous.get(source).status_code == 303  # the same URL, not signed in


def test_a_wrong_password_says_so_and_keeps_the_name(team_app: AppProcess, people: Any) -> None:
    page = people(team_app).new_page()
    page.goto(f"{team_app.base_url}/jobs")
    page.get_by_test_id("username-input").fill("ben")
    page.get_by_test_id("password-input").fill("not-bens-password")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_test_id("login-button").click()
    assert posted.value.status == 401
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong name or password.")
    expect(page.get_by_test_id("username-input")).to_have_value("ben")
    page.get_by_test_id("password-input").fill(PASSWORDS["ben"])
    page.get_by_test_id("login-button").click()
    expect(page).to_have_url(f"{team_app.base_url}/jobs")  # ``next`` survived the wrong try


def test_the_session_cookie_is_http_only_and_same_site_lax(team_app: AppProcess,
                                                           people: Any) -> None:
    context = people(team_app)
    signed_in_tab(context, team_app.base_url, "ana")
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["session"]["httpOnly"] is True
    assert cookies["session"]["sameSite"] == "Lax"


def test_signing_out_in_one_tab_sends_every_tab_to_login(team_app: AppProcess,
                                                         people: Any) -> None:
    context = people(team_app)
    first = signed_in_tab(context, team_app.base_url, "ana", "/jobs")
    second = context.new_page()
    second.goto(f"{team_app.base_url}/account")
    expect(second.get_by_test_id("user-menu")).to_be_visible()
    first.get_by_test_id("user-menu").click()
    first.get_by_test_id("sign-out-button").click()
    expect(first).to_have_url(f"{team_app.base_url}/login")
    expect(second).to_have_url(f"{team_app.base_url}/login")
    second.goto(f"{team_app.base_url}/jobs")
    expect(second.get_by_test_id("login-form")).to_be_visible()


def test_a_colleagues_job_shows_no_cancel_and_the_api_refuses(team_app: AppProcess,
                                                              people: Any) -> None:
    ana = signed_in_tab(people(team_app), team_app.base_url, "ana", "/jobs")
    ben = signed_in_tab(people(team_app), team_app.base_url, "ben", "/jobs")
    # One slot: ana's minute of full-size video renders for longer than this test runs, and
    # ben's waits behind it, so both stay running (Cancel is offered on running jobs only).
    anas, bens = start_job(ana, duration=60), start_job(ben, duration=60)
    expect(job_card(ana, anas).get_by_test_id("cancel-job-button")).to_be_visible()
    expect(job_card(ben, anas)).to_contain_text("ana")  # whose it is
    expect(job_card(ben, anas).get_by_test_id("watch-button")).to_be_visible()
    expect(job_card(ben, anas).get_by_test_id("cancel-job-button")).to_have_count(0)
    assert ben.request.post(f"{API_PREFIX}/jobs/{anas}/cancel").status == 403
    ben.get_by_test_id("owner-filter").get_by_text("Mine").click()
    expect(job_card(ben, bens)).to_be_visible()
    expect(job_card(ben, anas)).to_be_hidden()
    for page, job_id in ((ana, anas), (ben, bens)):
        assert page.request.post(f"{API_PREFIX}/jobs/{job_id}/cancel").status == 202


def test_a_job_ending_is_toasted_to_its_owner_not_to_the_team(team_app: AppProcess,
                                                              people: Any) -> None:
    ana = signed_in_tab(people(team_app), team_app.base_url, "ana", "/jobs")
    ben = signed_in_tab(people(team_app), team_app.base_url, "ben", "/jobs")
    job_id = start_job(ana)
    expect(job_card(ben, job_id)).to_be_visible()  # ben sees it on the list…
    expect(job_toast(ana, job_id)).to_be_visible(timeout=120_000)
    ben.wait_for_timeout(1500)  # both tabs hear of the end from the same look at the list
    expect(job_toast(ben, job_id)).to_have_count(0)  # …but its end is ana's news


def test_five_wrong_passwords_make_the_next_try_wait(own_team_app: AppProcess) -> None:
    def try_password(client: httpx.Client, password: str) -> httpx.Response:
        return client.post("/login", data={"username": "ben", "password": password,
                                           "next": "/jobs"})

    with httpx.Client(base_url=own_team_app.base_url) as client:
        for _ in range(5):
            assert try_password(client, "a-wrong-guess").status_code == 401
        waiting = try_password(client, PASSWORDS["ben"])
        assert waiting.status_code == 429
        wait = int(waiting.headers["retry-after"])
        assert 1 <= wait <= WAIT_SECONDS
        time.sleep(wait)
        signed_in = try_password(client, PASSWORDS["ben"])
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/jobs")
        assert client.get("/jobs").status_code == 200


def test_the_log_holds_no_password(team_app: AppProcess, people: Any) -> None:
    signed_in_tab(people(team_app), team_app.base_url, "ana")
    with httpx.Client(base_url=team_app.base_url) as client:
        client.post("/login", data={"username": "ana", "password": "ana-wrong-password"})
    log = team_app.log()
    assert "wrong password for 'ana' from 127.0.0.1" in log  # the log these tries wrote
    for secret in (*PASSWORDS.values(), "ana-wrong-password"):
        assert secret not in log


def test_a_backend_without_accounts_still_works_with_the_dashboards_own(
        tmp_path: Path, people: Any) -> None:
    """An open backend of its own (``main.py api``): the dashboard signs users in from the
    accounts of its own data dir, and its jobs still say whose they are."""
    api = AppProcess(tmp_path / "api", command="api", env={"AURORA_RENDER_SIZE": "draft"}).start()
    try:
        add_user(tmp_path / "dashboard", "ana", PASSWORDS["ana"])
        dashboard = AppProcess(tmp_path / "dashboard", api_url=api.base_url,
                               env={"AURORA_AUTH": "accounts"}).start()
        try:
            page = people(dashboard).new_page()
            sign_in(page, dashboard.base_url, "ana", "not-anas-password", path="/jobs")
            expect(page.get_by_test_id("login-error")).to_have_text("Wrong name or password.")
            page.get_by_test_id("password-input").fill(PASSWORDS["ana"])
            page.get_by_test_id("login-button").click()
            expect(page).to_have_url(f"{dashboard.base_url}/jobs")
            job_id = browser_start_job(page, dashboard.base_url, PROMPT)
            job = httpx.get(f"{api.base_url}{API_PREFIX}/jobs/{job_id}").json()
            assert job["owner"] == "ana"
            httpx.post(f"{api.base_url}{API_PREFIX}/jobs/{job_id}/cancel")
        finally:
            dashboard.stop()
    finally:
        api.stop()


def test_a_burst_of_tries_at_once_gets_no_more_checks_than_one_by_one(
        own_team_app: AppProcess) -> None:
    def try_once(_: int) -> int:
        with httpx.Client(base_url=own_team_app.base_url, timeout=60) as client:
            return client.post("/login", data={"username": "ben",
                                               "password": "a-guess"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(try_once, range(20)))
    assert statuses.count(401) <= 5
    assert set(statuses) <= {401, 429}


def test_an_address_is_the_peer_unless_a_trusted_proxy_says_otherwise(
        own_team_app: AppProcess) -> None:
    with httpx.Client(base_url=own_team_app.base_url) as client:
        for n in range(5):  # five names, five made-up addresses: all from this one peer
            answer = client.post("/login", data={"username": f"guess{n}", "password": "x"},
                                 headers={"X-Forwarded-For": f"203.0.113.{n}"})
            assert answer.status_code == 401
        sixth = client.post("/login", data={"username": "guess5", "password": "x"},
                            headers={"X-Forwarded-For": "203.0.113.99"})
        assert sixth.status_code == 429


def test_a_sign_in_posted_from_another_site_is_refused(own_team_app: AppProcess) -> None:
    with httpx.Client(base_url=own_team_app.base_url) as client:
        form = {"username": "ana", "password": PASSWORDS["ana"]}
        refused = client.post("/login", data=form, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert client.get("/jobs").status_code == 303  # not signed in
        same_site = client.post("/login", data=form, headers={"Origin": own_team_app.base_url})
        assert same_site.status_code == 303


def test_a_users_token_in_the_shell_does_not_become_the_service_token(tmp_path: Path) -> None:
    """``AURORA_API_TOKEN`` exported for the terminal client, then the dashboard started in
    the same shell: the embedded pair makes its own service token, not that one."""
    borrowed = "aurora_a_users_token_from_the_shell"
    app = AppProcess(tmp_path / "data", env={"AURORA_AUTH": "accounts",
                                             "AURORA_API_TOKEN": borrowed}).start()
    try:
        answer = httpx.get(f"{app.base_url}{API_PREFIX}/me",
                           headers={"Authorization": f"Bearer {borrowed}"})
        assert answer.status_code == 401
    finally:
        app.stop()


def test_signing_out_closes_the_sockets_of_the_sessions_tabs(own_team_app: AppProcess) -> None:
    """A script that keeps a signed-out tab's socket open cannot go on acting in it."""
    with ThreadPoolExecutor(max_workers=1) as thread:  # the browser's loop owns this one
        thread.submit(asyncio.run, _sign_out_with_a_socket_open(own_team_app)).result()


async def _sign_out_with_a_socket_open(own_team_app: AppProcess) -> None:
    async with httpx.AsyncClient(base_url=own_team_app.base_url) as browser:
        await browser.post("/login", data={"username": "ana", "password": PASSWORDS["ana"]})
        page = (await browser.get("/account")).text
        client_id = re.search(r"'client_id': '([^']+)'", page)
        assert client_id is not None
        socket = socketio.AsyncClient(reconnection=False)
        query = urlencode({"client_id": client_id[1], "tab_id": uuid.uuid4().hex,
                           "document_id": uuid.uuid4().hex, "next_message_id": 0,
                           "implicit_handshake": "true"})
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        await socket.connect(f"{own_team_app.base_url}?{query}", headers={"Cookie": cookie},
                             socketio_path="/_nicegui_ws/socket.io", transports=["websocket"])
        assert socket.connected
        await browser.post("/logout")
        for _ in range(50):
            if not socket.connected:
                break
            await asyncio.sleep(0.1)
        assert not socket.connected
        await socket.disconnect()


def test_a_removed_user_is_signed_out_within_seconds(own_team_app: AppProcess,
                                                     people: Any) -> None:
    page = signed_in_tab(people(own_team_app), own_team_app.base_url, "ben", "/jobs")
    remove_user(own_team_app.data_dir, "ben")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "/login" not in page.url:
        page.wait_for_timeout(1000)
        page.goto(f"{own_team_app.base_url}/jobs")
    expect(page.get_by_test_id("login-form")).to_be_visible()
