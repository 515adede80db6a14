"""What the rest of the backend needs from its store, whichever engine keeps the records: the
jobs (``JobStore``) and the user accounts (``AccountStore``), both kept by each engine's one class,
so every replica reading the same database agrees on both.

An engine raises ``StoreUnavailable`` (its own error as the cause) when it cannot read or write
this time, so callers never see an engine's exception types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from services.contract import has_ended

INTERRUPTED_MESSAGE = "Interrupted by restart"
JSON_FIELDS = frozenset({"script", "stage_times", "assets", "work"})  # stored as JSON documents


class StoreUnavailable(Exception):
    """The store could not be read or written this time; a later try may succeed."""


@dataclass
class JobRecord:
    """One job as stored. ``assets`` maps kinds to file names in the job's media folder."""

    job_id: str
    status: str
    prompt: str
    duration: int
    aspect_ratio: str
    style: str
    scene_count: int
    current_stage: str
    progress: float
    created_at: float
    updated_at: float
    started_at: float | None = None
    error: str | None = None
    script: list[str] | None = None
    stage_times: dict[str, float] = field(default_factory=dict)
    assets: dict[str, Any] = field(default_factory=dict)
    event_id: int = 0
    render_size: str = "full"  # a ``RenderSize``: the picture size every clip of the job has
    # on a cluster, each piece of render work by name: {"attempt": n, "taken_at": t | None}
    work: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None  # the user who started it; None where nobody signs in
    attempt: int = 1  # which run this is: one more for each retry (``retry.reopen``)
    webhook_url: str | None = None  # where the job's end is POSTed (``webhooks.py``)

    @property
    def ended(self) -> bool:
        """Whether the job has reached a terminal status."""
        return has_ended(self.status)


@dataclass(frozen=True, slots=True)
class JobFilter:
    """Which jobs a list holds: those in ``status`` (None: any), started by ``owner`` (None:
    anyone's) and with each of ``words`` somewhere in the prompt or the style, in any case."""

    status: str | None = None
    owner: str | None = None
    words: tuple[str, ...] = ()

    @classmethod
    def searching(cls, q: str | None, *, status: str | None = None,
                  owner: str | None = None) -> JobFilter:
        """The filter for a search box's text ``q``: its words, each once, lower-cased."""
        words = tuple(dict.fromkeys((q or "").lower().split()))
        return cls(status=status, owner=owner, words=words)


EVERY_JOB = JobFilter()

LogLevel = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a job's log: when, how bad, what happened (never a secret)."""

    at: float
    level: LogLevel
    message: str


class JobStore(Protocol):
    """Every job's record, and the measured render rates the ETA learns from.

    Async, so an engine across the network never blocks the event loop. ``open`` is called
    once, inside the running loop, before anything else; ``close`` once at the end.
    """

    async def open(self) -> None:
        """Connect, and bring the schema up to date."""

    async def insert(self, record: JobRecord) -> None:
        """Store a new job."""

    async def save(self, record: JobRecord) -> None:
        """Write back every field of an existing job, stamping ``updated_at``."""

    async def get(self, job_id: str) -> JobRecord | None:
        """The job with ``job_id``, or None."""

    async def get_many(self, job_ids: list[str]) -> list[JobRecord]:
        """The jobs with these ids, in the order asked (unknown ids left out), in one query."""

    async def page(
        self, matching: JobFilter = EVERY_JOB, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[JobRecord], int]:
        """A page of the jobs ``matching`` (every job by default), newest first (the later
        stored first on equal times), and how many match in all."""

    async def with_status(self, status: str) -> list[JobRecord]:
        """Jobs in ``status``, oldest first."""

    async def ended_before(self, moment: float) -> list[str]:
        """The jobs that ended (completed or failed) before ``moment``, oldest first."""

    async def delete(self, job_id: str) -> None:
        """Forget the job's record and its log (nothing if there is none)."""

    async def add_log(self, job_id: str, level: LogLevel, message: str) -> None:
        """Add a line to the job's log, stamped now."""

    async def log_of(self, job_id: str) -> list[LogLine]:
        """The job's log, oldest line first."""

    async def fail_interrupted(self) -> list[str]:
        """Mark every job that was rendering when the process died as failed; their ids,
        oldest first."""

    async def throughputs(self) -> dict[str, float]:
        """Every measured rate kept across restarts, by key."""

    async def set_throughput(self, key: str, value: float) -> None:
        """Remember a measured rate."""

    async def close(self) -> None:
        """Release the store (every write is already committed)."""


@dataclass
class UserRecord:
    """One user as stored. Names compare exactly (case-sensitive)."""

    name: str
    password_hash: str | None  # None: a user who signs in only through the sign-in proxy
    admin: bool
    created_at: float


@dataclass
class TokenRecord:
    """One API token as stored: only its hash, so a copy of the database lets nobody in."""

    token_id: str  # a short public id, shown to its owner and used to revoke it
    owner: str  # the user's name
    label: str
    token_hash: str  # SHA-256 hex of the token
    created_at: float


class UserExists(Exception):
    """A user of that name is already stored."""


class AccountStore(Protocol):
    """Every user and their API tokens. Kept beside the jobs: opened and closed with them."""

    async def add_user(self, user: UserRecord) -> None:
        """Store a new user; ``UserExists`` if the name is taken."""

    async def remove_user(self, name: str) -> bool:
        """Forget a user and every token of theirs; False if there was no such user."""

    async def get_user(self, name: str) -> UserRecord | None:
        """The user named ``name``, or None."""

    async def list_users(self) -> list[UserRecord]:
        """Every user, by name."""

    async def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash (a rehash with newer parameters)."""

    async def add_token(self, token: TokenRecord) -> None:
        """Store a new token."""

    async def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token whose hash is ``token_hash``, or None."""

    async def tokens_of(self, owner: str) -> list[TokenRecord]:
        """A user's tokens, newest first."""

    async def remove_token(self, owner: str, token_id: str) -> bool:
        """Forget one of ``owner``'s own tokens; False if they have none with that id."""


class BackendStore(JobStore, AccountStore, Protocol):
    """The jobs and the accounts together, as each engine's one class keeps them."""
