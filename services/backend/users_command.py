"""The ``users`` command: add, remove and list the user accounts in the backend's store.

    python main.py users add NAME [--admin] [--password-stdin]
    python main.py users remove NAME
    python main.py users list

It opens the store the backend's settings choose (SQLite in the data dir, or
``AURORA_DATABASE_URL``), so every replica on that store sees the change at once. A password is
typed twice at the terminal, never echoed, or read as one line of stdin (for scripts); with
``AURORA_AUTH=proxy`` none is asked: the proxy signs users in. Each success prints one line
saying what happened; a refusal prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from services.backend.accounts import AccountError, Accounts, check_name, check_new_password
from services.backend.engines import job_store
from services.backend.settings import BackendSettings
from services.backend.store import StoreUnavailable, UserRecord

Result = TypeVar("Result")


def add_user(settings: BackendSettings, name: str, *, admin: bool, password_stdin: bool) -> None:
    """``users add``: a new user, an admin with ``admin``."""
    with _refusals():
        password = None if settings.auth == "proxy" else _new_password(name, password_stdin)
        user = _with_accounts(settings, lambda accounts: accounts.add_user(
            name, password, admin=admin))
    how = " (signs in through the proxy)" if user.password_hash is None else ""
    print(f"Added {_role(user)} {user.name}{how}.")


def remove_user(settings: BackendSettings, name: str) -> None:
    """``users remove``: forget a user and their API tokens."""
    with _refusals():
        if not _with_accounts(settings, lambda accounts: accounts.remove_user(name)):
            raise AccountError(f"No user named {name}")
    print(f"Removed {name} and their API tokens.")


def list_users(settings: BackendSettings) -> None:
    """``users list``: one line per user, by name: name, role, the day they were added."""
    with _refusals():
        users = _with_accounts(settings, Accounts.list_users)
    if not users:
        print("No users yet.")
        return
    width = max(len(user.name) for user in users)
    for user in users:
        print(f"{user.name:<{width}}  {_role(user):<5}  {date.fromtimestamp(user.created_at)}")


def _role(user: UserRecord) -> str:
    return "admin" if user.admin else "user"


def _new_password(name: str, from_stdin: bool) -> str:
    """The new user's password: one line of stdin, or typed twice at the terminal."""
    check_name(name)  # before asking for a password the name could never go with
    password = sys.stdin.readline().rstrip("\r\n") if from_stdin else _typed_twice(name)
    check_new_password(password)
    return password


def _typed_twice(name: str) -> str:
    """A password typed at the terminal (not echoed), and again to be sure of it."""
    try:
        password = getpass.getpass(f"Password for {name}: ")
        again = getpass.getpass("The same password again: ")
    except EOFError:
        raise AccountError("No password given; no user was added") from None
    if again != password:
        raise AccountError("The two passwords differ; no user was added")
    return password


def _with_accounts(settings: BackendSettings,
                   work: Callable[[Accounts], Awaitable[Result]]) -> Result:
    """``work`` done on the accounts of the store the settings choose, opened for it alone."""
    async def run() -> Result:
        store = job_store(settings)
        await store.open()
        try:
            return await work(Accounts(store))
        finally:
            await store.close()

    return asyncio.run(run())


@contextmanager
def _refusals() -> Iterator[None]:
    """A request that cannot be met, as one line on stderr and exit code 2."""
    try:
        yield
    except (AccountError, StoreUnavailable) as error:
        print("aurora:", " ".join(str(error).split()), file=sys.stderr)  # an engine's may wrap
        raise SystemExit(2) from None
