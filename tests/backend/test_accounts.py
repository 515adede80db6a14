"""User accounts: the store keeps users and tokens alike on SQLite and PostgreSQL (each a real
database), and ``Accounts`` hashes, checks and issues over it."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pytest
from argon2 import PasswordHasher

from services.backend.accounts import MIN_PASSWORD_CHARS, AccountError, Accounts
from services.backend.store import BackendStore, TokenRecord, UserExists, UserRecord

PASSWORD = "correct horse battery"


def _user(name: str, *, admin: bool = False, password_hash: str | None = "hash") -> UserRecord:
    return UserRecord(name=name, password_hash=password_hash, admin=admin, created_at=1.5)


def _token(owner: str, token_id: str, created_at: float = 1.0) -> TokenRecord:
    return TokenRecord(token_id=token_id, owner=owner, label=f"{token_id} label",
                       token_hash=f"{owner}-{token_id}-hash", created_at=created_at)


async def test_users_read_back_by_exact_name_and_list_by_name(job_store: BackendStore) -> None:
    users = [_user("bob"), _user("alice", admin=True), _user("Alice"),
             _user("carol@example.com", password_hash=None)]
    for user in users:
        await job_store.add_user(user)
    alice = await job_store.get_user("alice")
    assert alice == users[1]
    assert alice.admin is True
    assert await job_store.get_user("ALICE") is None
    assert [user.name for user in await job_store.list_users()] == [
        "Alice", "alice", "bob", "carol@example.com"]  # byte order on both engines
    await job_store.set_password_hash("bob", "rehashed")
    assert await job_store.get_user("bob") == _user("bob", password_hash="rehashed")


async def test_a_taken_name_is_refused_and_the_first_user_kept(job_store: BackendStore) -> None:
    await job_store.add_user(_user("bob", admin=True))
    with pytest.raises(UserExists):
        await job_store.add_user(_user("bob"))
    assert await job_store.list_users() == [_user("bob", admin=True)]


async def test_removing_a_user_removes_their_tokens_and_no_one_elses(
        job_store: BackendStore) -> None:
    for name in ("ann", "ben"):
        await job_store.add_user(_user(name))
    for token in (_token("ann", "a1"), _token("ann", "a2"), _token("ben", "b1")):
        await job_store.add_token(token)

    assert await job_store.remove_user("ann") is True
    assert await job_store.get_user("ann") is None
    assert await job_store.tokens_of("ann") == []
    assert await job_store.token_by_hash("ann-a1-hash") is None
    assert await job_store.tokens_of("ben") == [_token("ben", "b1")]
    assert await job_store.token_by_hash("ben-b1-hash") == _token("ben", "b1")
    assert await job_store.remove_user("ann") is False
    assert await job_store.remove_user("nobody") is False


async def test_tokens_list_newest_first_and_only_their_owner_removes_one(
        job_store: BackendStore) -> None:
    for token in (_token("ann", "old", 1.0), _token("ann", "new", 3.0), _token("ann", "mid", 2.0),
                  _token("ann", "tie", 3.0), _token("ben", "other", 9.0)):
        await job_store.add_token(token)
    assert [token.token_id for token in await job_store.tokens_of("ann")] == [
        "tie", "new", "mid", "old"]  # on equal times, the later stored first

    assert await job_store.remove_token("ben", "mid") is False
    assert await job_store.remove_token("ann", "mid") is True
    assert await job_store.remove_token("ann", "mid") is False
    assert [token.token_id for token in await job_store.tokens_of("ann")] == ["tie", "new", "old"]
    assert await job_store.tokens_of("ben") == [_token("ben", "other", 9.0)]


async def test_a_password_is_kept_as_an_argon2id_hash_and_checked(
        job_store: BackendStore) -> None:
    accounts = Accounts(job_store)
    added = await accounts.add_user("alice", PASSWORD, admin=True)
    assert added.password_hash is not None
    assert added.password_hash.startswith("$argon2id$")
    assert PASSWORD not in added.password_hash
    assert await accounts.get_user("alice") == added

    assert await accounts.check_password("alice", PASSWORD) == added
    assert await accounts.check_password("alice", PASSWORD + "!") is None
    assert await accounts.check_password("Alice", PASSWORD) is None
    assert await accounts.check_password("nobody", PASSWORD) is None


async def test_a_proxy_user_has_no_password_to_sign_in_with(job_store: BackendStore) -> None:
    accounts = Accounts(job_store)
    added = await accounts.add_user("carol@example.com", None, admin=False)
    assert added.password_hash is None
    assert await accounts.list_users() == [added]
    assert await accounts.check_password("carol@example.com", "") is None
    assert await accounts.check_password("carol@example.com", PASSWORD) is None


async def test_a_hash_with_older_parameters_is_replaced_when_its_password_is_right(
        job_store: BackendStore) -> None:
    old_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    await job_store.add_user(_user("dora", password_hash=old_hash))
    accounts = Accounts(job_store)

    assert await accounts.check_password("dora", "wrong password") is None
    assert (await job_store.get_user("dora")) == _user("dora", password_hash=old_hash)
    signed_in = await accounts.check_password("dora", PASSWORD)
    assert signed_in is not None
    stored = await job_store.get_user("dora")
    assert stored == signed_in
    assert stored.password_hash not in (None, old_hash)
    assert not PasswordHasher().check_needs_rehash(stored.password_hash)
    assert await accounts.check_password("dora", PASSWORD) == stored


async def test_checking_a_password_leaves_the_event_loop_free(job_store: BackendStore) -> None:
    accounts = Accounts(job_store)
    await accounts.add_user("erin", PASSWORD, admin=False)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.002)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    await accounts.check_password("erin", PASSWORD)
    await accounts.check_password("nobody", PASSWORD)
    ticker.cancel()
    assert ticks >= 4  # a hash verified on the loop would have let none through meanwhile


async def test_a_token_is_shown_once_stored_as_its_hash_and_names_its_user(
        job_store: BackendStore) -> None:
    accounts = Accounts(job_store)
    user = await accounts.add_user("fay", PASSWORD, admin=False)
    before = time.time()
    plain, record = await accounts.issue_token("fay", "laptop")

    assert plain.startswith("aurora_")
    assert len(plain) > 40
    assert (record.owner, record.label) == ("fay", "laptop")
    assert record.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in (record.token_id, record.token_hash)
    assert record.created_at >= before
    assert await accounts.tokens_of("fay") == [record]
    assert await accounts.user_of_token(plain) == user
    assert await accounts.user_of_token(plain + "x") is None
    assert await accounts.user_of_token("") is None

    second, _ = await accounts.issue_token("fay", "phone")
    assert second != plain
    assert await accounts.revoke_token("someone-else", record.token_id) is False
    assert await accounts.revoke_token("fay", record.token_id) is True
    assert await accounts.user_of_token(plain) is None
    assert await accounts.user_of_token(second) == user

    assert await accounts.remove_user("fay") is True
    assert await accounts.user_of_token(second) is None
    with pytest.raises(AccountError, match="No user named fay"):
        await accounts.issue_token("fay", "again")


async def test_a_name_outside_the_rule_is_refused(job_store: BackendStore) -> None:
    for name in ("", "bad name", "-leading-dash", "x" * 65, "tab\tname", "naïve", "a/b"):
        with pytest.raises(AccountError, match="not allowed"):
            await Accounts(job_store).add_user(name, PASSWORD, admin=False)
    assert await job_store.list_users() == []


async def test_a_short_password_and_a_taken_name_are_refused(job_store: BackendStore) -> None:
    accounts = Accounts(job_store)
    with pytest.raises(AccountError, match=f"at least {MIN_PASSWORD_CHARS}"):
        await accounts.add_user("gus", "x" * (MIN_PASSWORD_CHARS - 1), admin=False)
    assert await accounts.list_users() == []

    first = await accounts.add_user("gus", "x" * MIN_PASSWORD_CHARS, admin=False)
    with pytest.raises(AccountError, match="already exists"):
        await accounts.add_user("gus", PASSWORD, admin=True)
    assert await accounts.list_users() == [first]
