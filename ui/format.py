"""Pure text helpers for what the pages show; no NiceGUI here, so they unit-test in isolation."""

from __future__ import annotations

import math
import time

from services.contract import JobStatus

_STATUS_TEXT: dict[str, str] = {
    JobStatus.PENDING: "Queued",
    JobStatus.PROCESSING: "Running",
    JobStatus.COMPLETED: "Ready",
    JobStatus.FAILED: "Failed",
}


def format_time_remaining(seconds: float | None) -> str:
    """A countdown as a person reads it: "45 sec", "1 min", "2 min 30 sec", "1 hr 5 min".

    Rounds half up to whole seconds. ``None``, negative, NaN or infinite input gives ``""``
    (the caller then shows nothing rather than a nonsense time).
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    total = math.floor(seconds + 0.5)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} hr {minutes} min" if minutes else f"{hours} hr"
    if not minutes:
        return f"{secs} sec"
    return f"{minutes} min {secs} sec" if secs else f"{minutes} min"


def format_percent(percent: float) -> str:
    """The bar's label: whole percent, rounded down so "100%" means really done."""
    return f"{math.floor(percent)}%"


def format_eta(seconds_left: float | None) -> str:
    """The dialog's ETA line: "Est. 2 min 30 sec remaining", "Almost done" at zero, else ""."""
    remaining = format_time_remaining(seconds_left)
    if not remaining:
        return ""
    if seconds_left is not None and seconds_left < 0.5:
        return "Almost done"
    return f"Est. {remaining} remaining"


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
