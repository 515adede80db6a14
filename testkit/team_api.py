"""A backend with accounts, as the tests of owners, the queue and retry use it: ``main.py
api`` with ``AURORA_AUTH=accounts``, the dashboard's service token, and users made with
``main.py users add`` (each password is ``<name>-secret-password``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import httpx

from services.contract import API_PREFIX, USER_HEADER
from testkit.app_process import AppProcess
from testkit.users import add_user

SERVICE_TOKEN = "service-token-of-the-test-dashboard"


def password_of(name: str) -> str:
    """The password every test user gets."""
    return f"{name}-secret-password"


def acting_for(user: str) -> dict[str, str]:
    """The dashboard's headers, acting for ``user``."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", USER_HEADER: user}


def start_team_api(data_dir: Path, users: Iterable[str], *, admins: Iterable[str] = (),
                   env: dict[str, str] | None = None) -> AppProcess:
    """The backend alone, with ``users`` (``admins`` among them as admins), started."""
    admins = set(admins)
    for name in users:
        add_user(data_dir, name, password_of(name), admin=name in admins)
    return AppProcess(data_dir, command="api", env={
        "AURORA_AUTH": "accounts", "AURORA_SERVICE_TOKEN": SERVICE_TOKEN, **(env or {})}).start()


def cancel_unfinished(app: AppProcess) -> None:
    """Cancel every job still waiting or running (what a test leaves behind)."""
    with httpx.Client(base_url=f"{app.base_url}{API_PREFIX}", timeout=10,
                      headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as client:
        for status in ("pending", "processing"):
            for job in client.get("/jobs", params={"status": status, "limit": 200}).json()["jobs"]:
                client.post(f"/jobs/{job['job_id']}/cancel")
