"""``python main.py users …`` run as the operator runs it: a real process on a data dir of its
own, its password from stdin or typed at a real pseudo-terminal. The password never shows."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from services.backend.accounts import Accounts
from services.backend.store import SqliteJobStore, UserRecord
from testkit.app_process import ROOT

PASSWORD = "tr0ub4dor&3-secret"
DATE = r"\d{4}-\d\d-\d\d"


def _env(**settings: str) -> dict[str, str]:
    """This environment less its Aurora settings and pytest's variables, plus ``settings``."""
    kept = {key: value for key, value in os.environ.items()
            if not key.startswith(("AURORA_", "PYTEST_"))}
    return {**kept, **settings}


def _users(data_dir: Path, *args: str, stdin: str | None = None,
           **settings: str) -> subprocess.CompletedProcess[str]:
    """``main.py users ARGS --data-dir DATA_DIR``, its password (if any) on stdin."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "users", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=_env(**settings), input=stdin or "", capture_output=True, text=True,
        timeout=30, start_new_session=True)  # a password prompt could not reach our terminal
    assert PASSWORD not in result.stdout + result.stderr
    return result


def _refused(result: subprocess.CompletedProcess[str], reason: str) -> None:
    """The command exited with code 2 and one line on stderr giving ``reason``."""
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aurora: ")
    assert reason in lines[0]


async def _stored(data_dir: Path, name: str, password: str) -> tuple[UserRecord | None, bool]:
    """The user as the backend reads them from the data dir, and whether ``password`` is theirs."""
    store = SqliteJobStore(data_dir / "jobs.sqlite3")
    await store.open()
    try:
        accounts = Accounts(store)
        signs_in = await accounts.check_password(name, password) is not None
        return await accounts.get_user(name), signs_in
    finally:
        await store.close()


async def test_users_are_added_and_listed_by_name(tmp_path: Path) -> None:
    assert _users(tmp_path, "list").stdout == "No users yet.\n"
    added = _users(tmp_path, "add", "bob", "--password-stdin", stdin=PASSWORD + "\n")
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added user bob.\n", "")
    added = _users(tmp_path, "add", "alice", "--admin", "--password-stdin", stdin=PASSWORD)
    assert (added.returncode, added.stdout) == (0, "Added admin alice.\n")

    listed = _users(tmp_path, "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(rf"alice  admin  {DATE}", lines[0])
    assert re.fullmatch(rf"bob    user   {DATE}", lines[1])
    user, signs_in = await _stored(tmp_path, "alice", PASSWORD)
    assert user is not None
    assert (user.admin, signs_in) == (True, True)


async def test_a_user_is_removed_once(tmp_path: Path) -> None:
    _users(tmp_path, "add", "bob", "--password-stdin", stdin=PASSWORD)
    removed = _users(tmp_path, "remove", "bob")
    assert (removed.returncode, removed.stdout, removed.stderr) == (
        0, "Removed bob and their API tokens.\n", "")
    _refused(_users(tmp_path, "remove", "bob"), "No user named bob")
    assert await _stored(tmp_path, "bob", PASSWORD) == (None, False)


async def test_a_taken_name_a_bad_name_and_a_short_password_are_refused(tmp_path: Path) -> None:
    _users(tmp_path, "add", "bob", "--password-stdin", stdin=PASSWORD)
    _refused(_users(tmp_path, "add", "bob", "--admin", "--password-stdin",
                    stdin=PASSWORD + "!"), "A user named bob already exists")
    _refused(_users(tmp_path, "add", "no spaces", "--password-stdin", stdin=PASSWORD),
             "is not allowed")
    _refused(_users(tmp_path, "add", "carl", "--password-stdin", stdin="7 chars\n"),
             "at least 8 characters")
    user, _ = await _stored(tmp_path, "bob", PASSWORD)
    assert user is not None
    assert user.admin is False
    assert await _stored(tmp_path, "carl", "7 chars") == (None, False)


async def test_behind_a_sign_in_proxy_no_password_is_asked(tmp_path: Path) -> None:
    added = _users(tmp_path, "add", "carol@example.com", AURORA_AUTH="proxy")
    assert (added.returncode, added.stdout) == (
        0, "Added user carol@example.com (signs in through the proxy).\n")
    user, _ = await _stored(tmp_path, "carol@example.com", "")
    assert user is not None
    assert user.password_hash is None


def _read(terminal: int, shown: bytes, until: bytes | None, *, within: float = 15) -> bytes:
    """``shown`` and what the terminal shows next: until ``until`` appears (None: until the
    program ends)."""
    start, deadline = len(shown), time.monotonic() + within
    while (until is None or until not in shown[start:]) and time.monotonic() < deadline:
        if select.select([terminal], [], [], 0.1)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the program ended, no one holds the terminal any more
                break
            if not chunk:
                break
            shown += chunk
    return shown


def _at_a_terminal(data_dir: Path, name: str, answers: list[tuple[str, str]]) -> tuple[int, str]:
    """``users add NAME`` on a pseudo-terminal of its own, each answer typed once its prompt
    shows: its exit code, and everything the terminal showed."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "users", "add", name, "--data-dir", str(data_dir)],
        cwd=ROOT, env=_env(), stdin=terminal, stdout=terminal, stderr=terminal,
        start_new_session=True)  # no controlling terminal: it can reach only this one
    os.close(terminal)
    shown = b""
    try:
        for prompt, answer in answers:
            shown = _read(controller, shown, prompt.encode())
            assert shown.endswith(prompt.encode()), shown
            os.write(controller, answer.encode() + b"\n")
        shown = _read(controller, shown, None)
        return process.wait(timeout=15), shown.decode()
    finally:
        process.kill()
        process.wait()
        os.close(controller)


async def test_a_password_typed_at_a_terminal_is_asked_twice_and_never_shown(
        tmp_path: Path) -> None:
    code, shown = _at_a_terminal(tmp_path, "dave", [("Password for dave: ", PASSWORD),
                                                  ("The same password again: ", PASSWORD)])
    assert code == 0, shown
    assert PASSWORD not in shown
    assert shown.count("Password for dave: ") == shown.count("The same password again: ") == 1
    assert "Added user dave." in shown
    user, signs_in = await _stored(tmp_path, "dave", PASSWORD)
    assert user is not None
    assert signs_in


async def test_two_different_passwords_at_a_terminal_add_no_one(tmp_path: Path) -> None:
    other = PASSWORD[::-1]
    code, shown = _at_a_terminal(tmp_path, "erin", [("Password for erin: ", PASSWORD),
                                                  ("The same password again: ", other)])
    assert code == 2, shown
    assert PASSWORD not in shown
    assert other not in shown
    assert shown.strip().splitlines()[-1] == (
        "aurora: The two passwords differ; no user was added")
    assert await _stored(tmp_path, "erin", PASSWORD) == (None, False)
