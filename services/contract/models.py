"""The wire contract (``shared/spec/api-contract.md``) as pydantic models.

Both sides use these: the embedded backend as ``response_model``s and the dashboard's
client to parse what any backend sends. Readers ignore unknown fields, never reject them, and
read ``null`` as "not given". What a backend sends (every ``BackendAnswer``) is read
forgivingly besides (``services.contract.reading``); what a client sends is checked strictly.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from services.contract.reading import read_forgivingly, without_nulls
from services.contract.vocabulary import (
    DEFAULT_ASPECT_RATIO,
    PROMPT_MAX_CHARS,
    STYLE_MAX_CHARS,
    WEBHOOK_URL_MAX_CHARS,
    AspectRatio,
    Duration,
    JobStatus,
)


class ContractModel(BaseModel):
    """Base of every wire model: unknown fields are ignored, and ``null`` reads as not given."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _null_is_not_given(cls, data: Any) -> Any:
        return without_nulls(data)


class BackendAnswer(ContractModel):
    """Base of what a backend sends: one odd value or item never hides the rest."""

    @model_validator(mode="wrap")
    @classmethod
    def _forgiving(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return read_forgivingly(cls, data, handler)


class GenerateRequest(ContractModel):
    """Body of ``POST /api/v1/generate``."""

    prompt: Annotated[str, Field(description="What the video shows; trimmed length 1..2000")]
    duration: Duration
    aspect_ratio: AspectRatio = DEFAULT_ASPECT_RATIO
    style: Annotated[str, Field(max_length=STYLE_MAX_CHARS)] = ""
    # (extension) where the backend POSTs the job's end, signed; only hosts it allows
    webhook_url: Annotated[str | None, Field(max_length=WEBHOOK_URL_MAX_CHARS)] = None

    @field_validator("prompt", "style")
    @classmethod
    def _printable(cls, value: str) -> str:
        """No control characters (a NUL, say): no store keeps them alike, nothing shows them."""
        if any(ord(char) < 32 and char not in "\n\t" for char in value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt_length(cls, value: str) -> str:
        trimmed = value.strip()
        if not trimmed:
            raise ValueError("prompt must not be empty")
        if len(trimmed) > PROMPT_MAX_CHARS:
            raise ValueError(f"prompt must be at most {PROMPT_MAX_CHARS} characters")
        return trimmed

    @field_validator("style")
    @classmethod
    def _style_trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("webhook_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """An http or https URL naming a host (which hosts are allowed is the backend's say)."""
        if value is not None and webhook_host(value) is None:
            raise ValueError("must be an http or https URL with a host")
        return value


def webhook_host(url: str) -> str | None:
    """The host an http(s) ``url`` names, lower-cased; None for any other URL."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        return None
    return host if parts.scheme in ("http", "https") and host else None


class GenerateResponse(BackendAnswer):
    """Answer to a generate request: the new job's id."""

    job_id: str
    status: str = JobStatus.PENDING


# Where a pending job stands in the queue: 1 starts next (None: not waiting, or not told).
QueuePosition = Annotated[int, Field(ge=1)]
# Which run of a job this is: 1 for the first, one more for each retry (extension).
Attempt = Annotated[int, Field(ge=1)]


class StageInfo(BackendAnswer):
    """One step of the pipeline as a person reads it."""

    name: str
    display_name: str = ""  # not given: readers show the name
    progress: float = 0
    completed_at: float | None = None


class AssetInfo(BackendAnswer):
    """A (presigned) URL to one media file."""

    url: str
    scene_number: int | None = None
    created_at: float = 0


class ProgressAssets(BackendAnswer):
    """The media a job has produced so far."""

    scene_clips: list[AssetInfo] = Field(default_factory=list)
    thumbnails: list[AssetInfo] = Field(default_factory=list)
    audio: AssetInfo | None = None
    final_video: AssetInfo | None = None


class ProgressResponse(BackendAnswer):
    """Data of an ``update`` event: a job's state."""

    job_id: str
    status: str
    progress: float = 0
    current_stage: str = ""
    current_stage_display: str = ""
    stages_completed: list[StageInfo] = Field(default_factory=list)
    stages_pending: list[StageInfo] = Field(default_factory=list)
    estimated_time_remaining: float | None = None
    assets: ProgressAssets | None = None
    error: str | None = None
    queue_position: QueuePosition | None = None


class JobSummary(BackendAnswer):
    """One row of ``GET /api/v1/jobs``."""

    job_id: str
    status: str
    progress: float = 0
    prompt: str = ""
    duration: int | None = None
    aspect_ratio: str = ""
    style: str = ""
    current_stage: str = ""
    current_stage_display: str = ""
    created_at: float = 0  # 0: not given
    updated_at: float = 0
    error: str | None = None
    owner: str | None = None  # who started it, where the backend has accounts (extension)
    queue_position: QueuePosition | None = None
    attempt: Attempt | None = None
    thumbnail_url: str | None = None  # the first scene's picture, once there is one (extension)


class JobDetail(JobSummary):
    """``GET /api/v1/jobs/{id}``: a summary plus the stage lists, ETA, assets and script."""

    stages_completed: list[StageInfo] = Field(default_factory=list)
    stages_pending: list[StageInfo] = Field(default_factory=list)
    estimated_time_remaining: float | None = None
    assets: ProgressAssets | None = None
    script: list[str] | None = None


class JobList(BackendAnswer):
    """``GET /api/v1/jobs``: a page of jobs, newest first, and the total count."""

    jobs: list[JobSummary]
    total: int | None = None


class LogEntry(BackendAnswer):
    """One line of a job's log (extension)."""

    at: float = 0  # unix time; 0: not given
    level: str = "info"  # "info", "warning" or "error"
    message: str = ""


class JobLog(BackendAnswer):
    """``GET /api/v1/jobs/{id}/log``: what happened to the job, oldest first (extension)."""

    lines: list[LogEntry] = Field(default_factory=list)


class QueueState(BackendAnswer):
    """``GET /api/v1/queue``: the jobs waiting and running, the render workers, and how long a
    job the caller submitted now would wait before it starts (0: a slot is free)."""

    pending: int = 0
    running: int = 0
    workers: int = 0
    estimated_start_seconds: float | None = None


class DoneData(BackendAnswer):
    """Data of a ``done`` event."""

    status: str


class ErrorData(BackendAnswer):
    """Data of an ``error`` event: the server could not read the job this time."""

    error: str


class DeletedData(BackendAnswer):
    """Data of a ``deleted`` event of ``GET /api/v1/events``: this job is gone (extension)."""

    job_id: str


class CancelResponse(BackendAnswer):
    """Answer to ``POST /api/v1/jobs/{id}/cancel``."""

    job_id: str
    status: str


class ErrorBody(BackendAnswer):
    """JSON body of a 4xx/5xx answer that is not a validation error."""

    detail: str


class SignInRequest(ContractModel):
    """``POST /api/v1/auth/sign-in`` (service token only): does this password fit this user?"""

    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class UserInfo(BackendAnswer):
    """``GET /api/v1/me``, and a sign-in that fits: who the caller is (name None: nobody signs
    in here)."""

    name: str | None = None
    admin: bool = False


class TokenInfo(BackendAnswer):
    """One of a user's API tokens, as ``/account`` lists it (the token itself is never shown
    again)."""

    token_id: str
    label: str = ""
    created_at: float = 0


class NewToken(TokenInfo):
    """``POST /api/v1/tokens``: the token, shown this once."""

    token: str


class TokenList(BackendAnswer):
    """``GET /api/v1/tokens``: the caller's tokens, newest first."""

    tokens: list[TokenInfo]


class TokenRequest(ContractModel):
    """``POST /api/v1/tokens``: what the new token is for."""

    label: str = Field(default="", max_length=64)
