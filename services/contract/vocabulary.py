"""The contract's words: where its routes live, the durations, ratios and statuses it knows
(and their order), and the rules for identifiers and texts. Every list elsewhere is derived
from these.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal, get_args

API_PREFIX = "/api/v1"  # every route of the contract lives under it

Duration = Literal[15, 30, 60]
AspectRatio = Literal["16:9", "9:16", "1:1"]
DURATIONS: tuple[Duration, ...] = get_args(Duration)
ASPECT_RATIOS: tuple[AspectRatio, ...] = get_args(AspectRatio)
DEFAULT_ASPECT_RATIO: AspectRatio = "16:9"

PROMPT_MAX_CHARS = 2000
STYLE_MAX_CHARS = 64
WEBHOOK_URL_MAX_CHARS = 2000  # (extension) a webhook_url of GenerateRequest
CANCELLED_ERROR = "Cancelled by user"  # the error of a job that ended because it was cancelled

JOB_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Who gets in (``AURORA_AUTH``): anyone who reaches the port, users signed in with a password,
# or the users a trusted sign-in proxy names. Both programs read it.
AuthMode = Literal["open", "accounts", "proxy"]
USER_HEADER = "X-Aurora-User"  # the user a service token acts for
USER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")  # names and e-mails


def is_valid_job_id(job_id: object) -> bool:
    """Whether ``job_id`` may be put into a URL or a path (the contract's identifier rule)."""
    return isinstance(job_id, str) and JOB_ID_PATTERN.fullmatch(job_id) is not None


class JobStatus(StrEnum):
    """The four statuses of the contract; any other value is treated as non-terminal."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED})
_STATUS_ORDER: dict[str, int] = {JobStatus.PENDING: 0, JobStatus.PROCESSING: 1,
                                 JobStatus.COMPLETED: 2, JobStatus.FAILED: 2}


def has_ended(status: str) -> bool:
    """Whether a job in ``status`` has ended (completed or failed); any other value runs."""
    return status in TERMINAL_STATUSES


def furthest_status(status: str, other: str) -> str:
    """The later of two sightings of one job's status: a job only moves forward, never back.

    So a fresh sighting (still "pending") never undoes an older "processing", nor a stale one
    an end already seen. An unknown status counts as running; of two equal, ``status`` stays.
    """
    return other if _STATUS_ORDER.get(other, 1) > _STATUS_ORDER.get(status, 1) else status
