"""User accounts over the backend's store: who may sign in, with which password or API token.

Passwords are kept as Argon2id hashes (argon2-cffi's defaults), tokens as their SHA-256: a copy
of the database lets nobody in. Hashing takes tens of milliseconds of CPU, so it runs in a
thread, never on the event loop. Nothing here logs a password or a token.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.backend.store import (
    AccountStore,
    BackendStore,
    TokenRecord,
    UserExists,
    UserRecord,
)
from services.contract import USER_NAME_PATTERN, UserInfo

MIN_PASSWORD_CHARS = 8
TOKEN_PREFIX = "aurora_"  # tells an Aurora token apart in a config file or a secret scanner
_HASHER = PasswordHasher()


class AccountError(Exception):
    """An account request that cannot be met; the message says why, in one line."""


def check_name(name: str) -> None:
    """A new user's name must follow the contract's rule (``AccountError`` otherwise)."""
    if not USER_NAME_PATTERN.fullmatch(name):
        raise AccountError(f"User name {name!r} is not allowed: up to 64 letters, digits and "
                           ". _ @ + -, starting with a letter or a digit")


def check_new_password(password: str) -> None:
    """A new password must be long enough (``AccountError`` otherwise)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"The password is too short: at least {MIN_PASSWORD_CHARS} characters")


def _hash_token(plain: str) -> str:
    """The form a token is stored and looked up in."""
    return hashlib.sha256(plain.encode()).hexdigest()


@cache
def _dummy_hash() -> str:
    """A hash no password matches, made once with the same parameters as every real one."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def _verify(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. Without a hash, the dummy one is verified
    instead, so an unknown name takes as long as a known one. CPU-heavy: run it in a thread."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


class Accounts:
    """Adding, removing and checking users and their API tokens, whatever engine stores them."""

    def __init__(self, store: AccountStore) -> None:
        self._store = store

    async def add_user(self, name: str, password: str | None, *, admin: bool) -> UserRecord:
        """Store a new user; ``password`` None for one who signs in only through the sign-in
        proxy. ``AccountError`` for a bad name, a short password or a taken name."""
        check_name(name)
        password_hash = None
        if password is not None:
            check_new_password(password)
            password_hash = await asyncio.to_thread(_HASHER.hash, password)
        user = UserRecord(name=name, password_hash=password_hash, admin=admin,
                          created_at=time.time())
        try:
            await self._store.add_user(user)
        except UserExists:
            raise AccountError(f"A user named {name} already exists") from None
        return user

    async def remove_user(self, name: str) -> bool:
        """Forget a user and their tokens; False if there was no such user."""
        return await self._store.remove_user(name)

    async def get_user(self, name: str) -> UserRecord | None:
        """The user named ``name``, or None."""
        return await self._store.get_user(name)

    async def list_users(self) -> list[UserRecord]:
        """Every user, by name."""
        return await self._store.list_users()

    async def check_password(self, name: str, password: str) -> UserRecord | None:
        """The user, if ``password`` is theirs; None otherwise, after as long a check either way.

        A hash made with older parameters is replaced by one made with today's.
        """
        user = await self._store.get_user(name)
        password_hash = user.password_hash if user else None
        matches = await asyncio.to_thread(_verify, password_hash, password)
        if not matches or user is None or password_hash is None:
            return None
        if _HASHER.check_needs_rehash(password_hash):
            user.password_hash = await asyncio.to_thread(_HASHER.hash, password)
            await self._store.set_password_hash(name, user.password_hash)
        return user

    async def issue_token(self, owner: str, label: str) -> tuple[str, TokenRecord]:
        """A new API token for ``owner``: the token itself, to be shown once, and its stored
        record (which holds only its hash). ``AccountError`` if there is no such user."""
        if await self._store.get_user(owner) is None:
            raise AccountError(f"No user named {owner}")
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(token_id=secrets.token_hex(4), owner=owner, label=label,
                             token_hash=_hash_token(plain), created_at=time.time())
        await self._store.add_token(record)
        return plain, record

    async def user_of_token(self, plain: str) -> UserRecord | None:
        """The user a token belongs to, if the token is known and its user still exists."""
        token = await self._store.token_by_hash(_hash_token(plain))
        return await self._store.get_user(token.owner) if token else None

    async def tokens_of(self, owner: str) -> list[TokenRecord]:
        """A user's tokens, newest first."""
        return await self._store.tokens_of(owner)

    async def revoke_token(self, owner: str, token_id: str) -> bool:
        """Forget one of ``owner``'s own tokens; False if they have none with that id."""
        return await self._store.remove_token(owner, token_id)


class PasswordBook:
    """The accounts of a store, opened for password checks only: what a dashboard signs its
    users in with when its backend has no accounts of its own (``main.py`` wires it)."""

    def __init__(self, store: BackendStore) -> None:
        self._store = store
        self._accounts = Accounts(store)

    async def open(self) -> None:
        """Open the store (its schema brought up to date)."""
        await self._store.open()

    async def close(self) -> None:
        """Close the store."""
        await self._store.close()

    async def check(self, name: str, password: str) -> UserInfo | None:
        """Who signs in, if the password fits."""
        user = await self._accounts.check_password(name, password)
        return None if user is None else UserInfo(name=user.name, admin=user.admin)
