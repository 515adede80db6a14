"""The dashboard's client of the video-generation backend: calls, progress stream, errors."""

from services.client.api import AuroraClient
from services.client.errors import (
    AuroraError,
    BackendFailure,
    BackendUnavailable,
    CancelNotSupported,
    InvalidJobId,
    JobAlreadyEnded,
    JobConflict,
    JobNotFound,
    JobNotRetryable,
    NotSupported,
    Overloaded,
    QueueNotSupported,
    RequestRejected,
    RetryNotSupported,
    ValidationRejected,
)
from services.client.events import (
    ConnectionFailed,
    Done,
    Reconnecting,
    ServerError,
    StreamEvent,
    Update,
)
from services.client.stream import Backoff, ProgressStream

__all__ = [
    "AuroraClient",
    "AuroraError",
    "BackendFailure",
    "BackendUnavailable",
    "Backoff",
    "CancelNotSupported",
    "ConnectionFailed",
    "Done",
    "InvalidJobId",
    "JobAlreadyEnded",
    "JobConflict",
    "JobNotFound",
    "JobNotRetryable",
    "NotSupported",
    "Overloaded",
    "ProgressStream",
    "QueueNotSupported",
    "Reconnecting",
    "RequestRejected",
    "RetryNotSupported",
    "ServerError",
    "StreamEvent",
    "Update",
    "ValidationRejected",
]
