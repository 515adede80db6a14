"""Everything the Aurora client raises, as one tree, so pages catch only ``AuroraError``.

    AuroraError
    ├── InvalidJobId              the id breaks the contract's rule; no request was made
    ├── BackendUnavailable        cannot connect, no answer in time, or the connection broke
    ├── RequestRejected           a 4xx answer: .status_code, .detail (the backend's words)
    │   ├── ValidationRejected    422: .field (None when the backend names none), .reason
    │   ├── JobNotFound           404 for a job: .job_id
    │   ├── JobConflict           409: the job's status does not allow it: .job_id
    │   │   ├── JobAlreadyEnded       on cancel or run-next
    │   │   ├── JobNotRetryable       on retry: the job has not failed
    │   │   └── JobNotEnded           on delete: the job waits or runs
    │   └── NotSupported          405: the backend lacks this extension
    │       ├── CancelNotSupported    no cancel
    │       ├── QueueNotSupported     no queue to read or reorder (a cluster's)
    │       ├── RetryNotSupported     no retry (a cluster's, for now)
    │       └── DeleteNotSupported    no delete
    ├── Overloaded                429 or 503: .status_code, .retry_after (seconds or None)
    └── BackendFailure            any other 5xx, or an answer that breaks the contract

``str(error)`` is written for people: a toast shows it as it is. ``mapped_errors`` is the one
place that turns httpx's exceptions and error statuses into this tree.
"""

from __future__ import annotations

import email.utils
import reprlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from services.contract import is_valid_job_id


class AuroraError(Exception):
    """Base of every error the client raises."""


class InvalidJobId(AuroraError):
    """A job id that may not go into a URL; raised before any request is made."""

    def __init__(self, job_id: object) -> None:
        self.job_id = job_id
        super().__init__(f"{reprlib.repr(job_id)} is not a valid job id")


class BackendUnavailable(AuroraError):
    """The backend could not be reached, did not answer in time, or broke the connection."""


class RequestRejected(AuroraError):
    """The backend refused the request (a 4xx answer); ``detail`` is its stated reason."""

    def __init__(self, status_code: int, detail: str, message: str | None = None) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(message or f"The backend refused the request ({status_code}): {detail}")


class ValidationRejected(RequestRejected):
    """422: the backend named what is wrong with the input (``field`` may be unknown)."""

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        subject = field or "request"
        super().__init__(422, reason, f"Invalid {subject}: {reason}")


class JobNotFound(RequestRejected):
    """404 for a job id: the backend does not know that job."""

    def __init__(self, job_id: str, detail: str = "Job not found") -> None:
        self.job_id = job_id
        super().__init__(404, detail, f"Job {job_id} not found")


class JobConflict(RequestRejected):
    """409: the job's status does not allow the request; ``situation`` says why."""

    situation = "does not allow this now"

    def __init__(self, job_id: str | None, detail: str = "Conflict") -> None:
        self.job_id = job_id
        subject = f"Job {job_id}" if job_id else "The job"
        super().__init__(409, detail, f"{subject} {self.situation}")


class JobAlreadyEnded(JobConflict):
    """409 on cancel: the job has already completed or failed (on run-next: it is not
    waiting; ``detail`` says which)."""

    situation = "has already ended"


class JobNotRetryable(JobConflict):
    """409 on retry: only a failed job can run again, and this one waits, runs or has
    completed."""

    situation = "has not failed, so it cannot be retried"


class JobNotEnded(JobConflict):
    """409 on delete: the job waits or runs; it can be deleted once it has ended."""

    situation = "has not ended, so it cannot be deleted (cancel it first)"


class NotSupported(RequestRejected):
    """405: the backend lacks an extension of the contract; ``feature`` says which."""

    feature = "do this"

    def __init__(self, detail: str = "Method Not Allowed") -> None:
        super().__init__(405, detail, f"This backend cannot {self.feature}")


class CancelNotSupported(NotSupported):
    """405 on cancel: a backend that keeps only the original spec has no cancel route."""

    feature = "cancel jobs"


class QueueNotSupported(NotSupported):
    """405 on ``/queue`` or run-next: a backend without them, or whose queue keeps no line of
    its own (a cluster's)."""

    feature = "show or reorder its queue"


class RetryNotSupported(NotSupported):
    """405 on retry: a backend without it, or one that cannot take a job up again yet (a
    cluster's)."""

    feature = "retry jobs"


class DeleteNotSupported(NotSupported):
    """405 on delete: a backend without it."""

    feature = "delete jobs"


class Overloaded(AuroraError):
    """429 or 503: the backend is busy; ``retry_after`` is its hint in seconds, if it gave one."""

    def __init__(self, status_code: int, retry_after: float | None) -> None:
        self.status_code = status_code
        self.retry_after = retry_after
        when = "in a moment" if retry_after is None else f"in {retry_after:.0f} s"
        super().__init__(f"The backend is busy; try again {when}")


class BackendFailure(AuroraError):
    """A 5xx other than 503, or an answer that does not keep the contract."""

    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(f"The backend failed ({status_code}): {detail}")


def check_job_id(job_id: str) -> str:
    """Return ``job_id`` unchanged, or raise ``InvalidJobId`` before it can reach a URL."""
    if not is_valid_job_id(job_id):
        raise InvalidJobId(job_id)
    return job_id


@contextmanager
def mapped_errors(where: str, *, job_id: str | None = None,
                  unsupported: type[NotSupported] = CancelNotSupported,
                  conflict: type[JobConflict] = JobAlreadyEnded) -> Iterator[None]:
    """Turn httpx's exceptions inside the block into the tree above.

    ``where`` (the backend's base URL) goes into the messages; ``job_id`` says the request was
    about one job, so that a 404 means that job is unknown rather than a wrong URL;
    ``unsupported`` is what a 405 means for this request, ``conflict`` what a 409 means.
    Error statuses arrive here as ``httpx.HTTPStatusError`` from ``raise_for_status()``.
    """
    try:
        yield
    except httpx.HTTPStatusError as error:
        raise error_for_status(error.response, job_id=job_id, unsupported=unsupported,
                               conflict=conflict) from error
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise BackendUnavailable(f"Cannot reach the backend at {where}") from error
    except httpx.TimeoutException as error:
        raise BackendUnavailable(f"The backend at {where} did not answer in time") from error
    except httpx.RequestError as error:  # transport, decoding and redirect errors
        because = f": {error}" if str(error) else ""
        message = f"The connection to the backend at {where} broke{because}"
        raise BackendUnavailable(message) from error


def error_for_status(response: httpx.Response, *, job_id: str | None = None,
                     unsupported: type[NotSupported] = CancelNotSupported,
                     conflict: type[JobConflict] = JobAlreadyEnded) -> AuroraError:
    """The error for a non-success answer whose body has been read (``unsupported``: the
    error a 405 gives, ``conflict``: a 409's)."""
    status = response.status_code
    detail = _detail(response)
    if status == 422:
        return _validation_rejected(response)
    if status == 404 and job_id is not None:
        return JobNotFound(job_id, detail)
    if status == 405:
        return unsupported(detail)
    if status == 409:
        return conflict(job_id, detail)
    if status in (429, 503):
        return Overloaded(status, _retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        return BackendFailure(status, detail)
    return RequestRejected(status, detail)


def _detail(response: httpx.Response) -> str:
    """The backend's reason: FastAPI's ``{"detail": "..."}``, else the text, else the phrase."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return response.text.strip()[:200] or response.reason_phrase or "no reason given"


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def _validation_rejected(response: httpx.Response) -> ValidationRejected:
    """Read FastAPI's ``{"detail": [{"loc": [...], "msg": ...}]}`` (first error) or a plain one."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ValidationRejected(None, _detail(response))
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        location = [str(part) for part in first.get("loc", [])]
        if location and location[0] in _LOCATIONS:
            location = location[1:]
        reason = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        return ValidationRejected(".".join(location) or None, reason)
    return ValidationRejected(None, detail if isinstance(detail, str) else _detail(response))


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delay-seconds or an HTTP date; None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
