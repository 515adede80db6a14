"""Time, ETA and percent texts exactly as the dashboard spec words them."""

import math
import time

import pytest

from services.wording import format_eta, format_percent, format_time_remaining
from ui.format import format_place_in_line, format_queue_outlook, format_started


@pytest.mark.parametrize(("seconds", "text"), [
    (45, "45 sec"),
    (60, "1 min"),
    (150, "2 min 30 sec"),
    (3900, "1 hr 5 min"),
    (0, "0 sec"),
    (59, "59 sec"),
    (61, "1 min 1 sec"),
    (3600, "1 hr"),
    (3659, "1 hr"),
    (7260, "2 hr 1 min"),
])
def test_the_spec_cases_and_their_neighbours(seconds: float, text: str) -> None:
    assert format_time_remaining(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [
    (44.4, "44 sec"),
    (44.5, "45 sec"),
    (59.5, "1 min"),
    (149.6, "2 min 30 sec"),
    (0.2, "0 sec"),
])
def test_rounds_half_up_to_whole_seconds(seconds: float, text: str) -> None:
    assert format_time_remaining(seconds) == text


@pytest.mark.parametrize("seconds", [None, -1, -0.2, math.nan, math.inf, -math.inf])
def test_nothing_to_show_gives_an_empty_string(seconds: float | None) -> None:
    assert format_time_remaining(seconds) == ""


@pytest.mark.parametrize(("seconds_left", "text"), [
    (150, "Est. 2 min 30 sec remaining"),
    (1, "Est. 1 sec remaining"),
    (0.4, "Almost done"),
    (0, "Almost done"),
    (None, ""),
    (math.nan, ""),
])
def test_eta_line(seconds_left: float | None, text: str) -> None:
    assert format_eta(seconds_left) == text


@pytest.mark.parametrize(("percent", "text"),
                         [(0, "0%"), (65, "65%"), (99.9, "99%"), (100, "100%")])
def test_percent_is_whole_and_never_rounds_up_to_done(percent: float, text: str) -> None:
    assert format_percent(percent) == text


def test_a_start_time_reads_as_today_or_as_a_date() -> None:
    now = time.mktime((2026, 7, 12, 15, 0, 0, 0, 0, -1))  # local time, as the dashboard shows
    assert format_started(now - 3600, now=now) == "today 14:00"
    assert format_started(now - 2 * 86400, now=now) == "10 Jul 15:00"
    assert format_started(0, now=now) == ""


@pytest.mark.parametrize(("position", "text"), [
    (1, "1st in line"), (2, "2nd in line"), (3, "3rd in line"), (4, "4th in line"),
    (11, "11th in line"), (12, "12th in line"), (13, "13th in line"), (21, "21st in line"),
    (102, "102nd in line"), (111, "111th in line"), (None, ""), (0, ""), (-1, "")])
def test_a_place_in_line_reads_as_an_ordinal(position: int | None, text: str) -> None:
    assert format_place_in_line(position) == text


@pytest.mark.parametrize(("seconds", "waiting", "text"), [
    (0, 0, "Starts right away"), (0.4, 2, "Starts right away"),
    (65, 1, "Starts in about 1 min 5 sec · 1 video waiting"),
    (40, 3, "Starts in about 40 sec · 3 videos waiting"),
    (None, 3, ""), (float("nan"), 0, ""), (-5, 0, "")])
def test_what_a_new_job_would_wait(seconds: float | None, waiting: int, text: str) -> None:
    assert format_queue_outlook(seconds, waiting) == text
