"""Pure text helpers for what the pages show; no NiceGUI here, so they unit-test in isolation.

Time left and percent are said alike on every screen: ``services.wording``.
"""

from __future__ import annotations

import math
import time

from services.contract import JobStatus
from services.wording import format_time_remaining

_STATUS_TEXT: dict[str, str] = {
    JobStatus.PENDING: "Queued",
    JobStatus.PROCESSING: "Running",
    JobStatus.COMPLETED: "Ready",
    JobStatus.FAILED: "Failed",
}


def format_started(timestamp: float, *, now: float) -> str:
    """When a job was made, in this machine's time: "today 14:03", "12 Mar 14:03", or ""."""
    if not math.isfinite(timestamp) or timestamp <= 0:
        return ""
    when, today = time.localtime(timestamp), time.localtime(now)
    clock = time.strftime("%H:%M", when)
    if when[:3] == today[:3]:
        return f"today {clock}"
    return f"{when.tm_mday} {time.strftime('%b', when)} {clock}"


def format_clock(timestamp: float) -> str:
    """A log line's time of day, to the second, in this machine's time: "14:03:27" ("" when
    not given)."""
    if not math.isfinite(timestamp) or timestamp <= 0:
        return ""
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def format_status(status: str) -> str:
    """A job's status as its card says it: "Queued", "Running", "Ready", "Failed"; any other
    value as the backend wrote it."""
    return _STATUS_TEXT.get(status, status)


NOT_GIVEN = "—"  # what a detail shows when the backend did not say
NO_PROMPT = "Untitled video"  # a job's title when the backend gives no prompt


def format_duration(seconds: int | None) -> str:
    """A video's length as the pages show it: "30 s", or "" when not given."""
    return f"{seconds} s" if seconds else ""


def format_place_in_line(position: int | None) -> str:
    """Where a waiting job stands: "1st in line", "2nd in line", "23rd in line"; "" unknown."""
    if position is None or position < 1:
        return ""
    suffix = "th" if 10 <= position % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        position % 10, "th")
    return f"{position}{suffix} in line"


def format_queue_outlook(estimated_start: float | None, waiting: int) -> str:
    """What a new job would wait: "Starts right away", "Starts in about 1 min · 3 videos
    waiting"; "" when the backend does not say."""
    if estimated_start is None or not math.isfinite(estimated_start) or estimated_start < 0:
        return ""
    if estimated_start < 1:
        return "Starts right away"
    videos = f"{waiting} video{'s' if waiting != 1 else ''} waiting"
    return f"Starts in about {format_time_remaining(estimated_start)} · {videos}"
