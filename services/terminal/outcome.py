"""How a command ends: the spec's exit codes, and every error as one line a person reads."""

from __future__ import annotations

import sys
from enum import IntEnum

from services.client import (
    AuroraError,
    BackendUnavailable,
    InvalidJobId,
    JobNotFound,
    RequestRejected,
    ValidationRejected,
)


class ExitCode(IntEnum):
    """What a script reads off the client's exit status."""

    DONE = 0  # the command did it; a watched job completed
    FAILED = 1  # the job failed, or the backend refused what was asked
    BAD_ARGUMENT = 2  # a bad argument or setting (an unknown job, a wrong token …)
    UNREACHABLE = 3  # the backend cannot be reached
    INTERRUPTED = 130  # Ctrl-C, as a shell counts it


def exit_code_for(error: AuroraError) -> ExitCode:
    """The exit code of a command that ended with ``error``."""
    if isinstance(error, BackendUnavailable):
        return ExitCode.UNREACHABLE
    if isinstance(error, InvalidJobId | ValidationRejected | JobNotFound):
        return ExitCode.BAD_ARGUMENT
    if isinstance(error, RequestRejected) and error.status_code == 401:
        return ExitCode.BAD_ARGUMENT
    return ExitCode.FAILED


def message_for(error: AuroraError) -> str:
    """The error as one line; a refused token says where a good one comes from."""
    if isinstance(error, RequestRejected) and error.status_code == 401:
        return (f"{error} (set AURORA_API_TOKEN to one of your tokens: the dashboard's "
                "/account page makes them)")
    return str(error)


def say_error(message: str) -> None:
    """One line on standard error, marked as ours."""
    print(f"aurora: {message}", file=sys.stderr, flush=True)


class CommandFailed(Exception):
    """The command cannot go on for a reason of the client's own (not the backend's answer):
    ``str()`` says why in one line, ``code`` is the exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        self.code = code
        super().__init__(message)
