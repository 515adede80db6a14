"""How a person is told a job's time left and progress, the same words on every screen: the
dashboard's pages and the terminal client both say "Est. 2 min 30 sec remaining"."""

from __future__ import annotations

import math


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
    """The ETA line: "Est. 2 min 30 sec remaining", "Almost done" at zero, else ""."""
    remaining = format_time_remaining(seconds_left)
    if not remaining:
        return ""
    if seconds_left is not None and seconds_left < 0.5:
        return "Almost done"
    return f"Est. {remaining} remaining"
