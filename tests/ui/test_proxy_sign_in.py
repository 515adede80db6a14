"""Behind a company sign-in proxy (``AURORA_AUTH=proxy``): the proxy's header names the user,
believed only from ``AURORA_TRUSTED_PROXIES``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.browser import VIEWPORT

HEADER = "X-Forwarded-Email"


def _behind_proxy(data: Path, trusted: str) -> AppProcess:
    return AppProcess(data, env={"AURORA_AUTH": "proxy", "AURORA_TRUSTED_PROXIES": trusted,
                                 "AURORA_RENDER_SIZE": "draft"}).start()


@pytest.fixture
def trusted_app(tmp_path: Path) -> Iterator[AppProcess]:
    """The tests' own address (loopback) is the trusted proxy."""
    app = _behind_proxy(tmp_path / "data", "127.0.0.1, 10.0.0.0/8")
    yield app
    app.stop()


def test_the_proxys_user_is_signed_in_and_owns_their_jobs(trusted_app: AppProcess,
                                                           browser: Any) -> None:
    context = browser.new_context(viewport=VIEWPORT, base_url=trusted_app.base_url,
                                  extra_http_headers={HEADER: "ana@example.com"})
    try:
        page = context.new_page()
        page.goto("/jobs")
        expect(page.get_by_test_id("user-menu")).to_contain_text("ana@example.com")
        answer = page.request.post(f"{API_PREFIX}/generate",
                                   data={"prompt": "A tram at night", "duration": 15})
        assert answer.status == 202
        job_id = answer.json()["job_id"]
        assert page.request.get(f"{API_PREFIX}/jobs/{job_id}").json()["owner"] \
            == "ana@example.com"
        assert page.request.post(f"{API_PREFIX}/jobs/{job_id}/cancel").status == 202
    finally:
        context.close()
    with httpx.Client(base_url=trusted_app.base_url) as nobody:
        assert nobody.get("/jobs").status_code == 303  # no header: nobody is signed in
        assert "organisation" in nobody.get("/login").text


def test_the_header_from_anyone_else_is_ignored_and_logged(tmp_path: Path) -> None:
    app = _behind_proxy(tmp_path / "data", "10.9.9.9")  # not the tests' address
    try:
        with httpx.Client(base_url=app.base_url, headers={HEADER: "root@example.com"}) as client:
            answer = client.get("/jobs")
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login")
            assert client.get(f"{API_PREFIX}/jobs").status_code == 401
        assert f"ignored {HEADER} from 127.0.0.1" in app.log()
    finally:
        app.stop()
