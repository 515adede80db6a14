"""What signing in costs: the guard on every request, and a password check beside other users.

Two dashboards side by side in one run, each with its embedded backend: one open, one with
accounts. Prints the median and p95 time of a signed-in ``GET /jobs`` (the whole page) and of
an API list call on each, the time ``POST /login`` takes (an Argon2id check), and the page's
time while four sign-ins run at once: the hashing runs in threads, off the event loop, so the
page should not wait for it.

    python -m bench.sign_in
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.stats import percentile
from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.users import add_user

ROUNDS = 60
PASSWORD = "a-bench-password"


def _timed(call: Callable[[], httpx.Response], rounds: int = ROUNDS) -> list[float]:
    """Milliseconds of each of ``rounds`` calls (after two warm-ups)."""
    for _ in range(2):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code < 400, answer.status_code
    return times


def _line(what: str, times: list[float]) -> str:
    median, p95 = statistics.median(times), percentile(times, 0.95)
    return f"  {what:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms"


def _signed_in(app: AppProcess) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url, timeout=30)
    answer = client.post("/login", data={"username": "bench", "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    return client


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="aurora-bench-sign-in-"))
    add_user(scratch / "accounts", "bench", PASSWORD)
    for n in range(4):
        add_user(scratch / "accounts", f"crowd{n}", PASSWORD)
    open_app = AppProcess(scratch / "open").start()
    accounts_app = AppProcess(scratch / "accounts", env={"AURORA_AUTH": "accounts"}).start()
    try:
        anonymous = httpx.Client(base_url=open_app.base_url, timeout=30)
        signed_in = _signed_in(accounts_app)
        print(f"Signing in ({ROUNDS} rounds each, one run, same machine)")
        print(_line("GET /jobs, open", _timed(lambda: anonymous.get("/jobs"))))
        print(_line("GET /jobs, signed in", _timed(lambda: signed_in.get("/jobs"))))
        print(_line("GET /api/v1/jobs, open", _timed(
            lambda: anonymous.get(f"{API_PREFIX}/jobs"))))
        print(_line("GET /api/v1/jobs, signed in (token lent)", _timed(
            lambda: signed_in.get(f"{API_PREFIX}/jobs"))))
        fresh = httpx.Client(base_url=accounts_app.base_url, timeout=30)
        print(_line("POST /login (Argon2id check)", _timed(lambda: fresh.post(
            "/login", data={"username": "bench", "password": PASSWORD}), rounds=20)))
        print(_line("GET /jobs, signed in, 4 sign-ins at once", _while_crowd_signs_in(
            accounts_app, signed_in)))
    finally:
        open_app.stop()
        accounts_app.stop()


def _while_crowd_signs_in(app: AppProcess, signed_in: httpx.Client) -> list[float]:
    """The page's times while four other users sign in over and over."""
    stop = threading.Event()

    def sign_in_forever(name: str) -> None:
        with httpx.Client(base_url=app.base_url, timeout=30) as client:
            while not stop.is_set():
                client.post("/login", data={"username": name, "password": PASSWORD})

    crowd = [threading.Thread(target=sign_in_forever, args=(f"crowd{n}",)) for n in range(4)]
    for thread in crowd:
        thread.start()
    try:
        time.sleep(0.5)
        return _timed(lambda: signed_in.get("/jobs"))
    finally:
        stop.set()
        for thread in crowd:
            thread.join()


if __name__ == "__main__":
    main()
