"""A job's progress as the client shows it: drawn live on a terminal (rich), one plain line per
stage when piped, or one JSON object per event.

Each view is shown every event of the stream (``show``) and then how the job ended (``finish``).
``Watched`` folds the events into what all three need, so they cannot disagree.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Protocol, Self

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from services.client import ConnectionFailed, Done, Reconnecting, ServerError, StreamEvent, Update
from services.contract import JobStatus, ProgressResponse, has_ended
from services.wording import format_eta, format_percent


@dataclass(frozen=True, slots=True)
class Ending:
    """How a watched job ended: ``error`` is the backend's reason when it failed."""

    job_id: str
    status: str
    error: str = ""

    @property
    def completed(self) -> bool:
        """Whether the job made its video."""
        return self.status == JobStatus.COMPLETED


@dataclass
class Watched:
    """What the stream has told about one job so far."""

    job_id: str
    state: ProgressResponse | None = None
    percent: float = 0.0  # never goes back, as the dashboard's bar
    eta_deadline: float | None = None  # time.monotonic() at which the ETA reaches zero
    notice: str = ""  # what the connection is going through, if anything
    ended: bool = False  # a ``done`` came

    def take(self, event: StreamEvent) -> None:
        """Fold one event in."""
        match event:
            case Update(progress=state) as update:
                self.state = state
                self.percent = update.percent_after(self.percent)
                eta = update.seconds_left
                ended = has_ended(state.status)
                self.eta_deadline = None if eta is None or ended else time.monotonic() + eta
                self.notice = ""
            case ServerError(message=message):
                self.notice = message
            case Reconnecting() as lost:
                self.notice = lost.message
            case ConnectionFailed() as failed:
                self.notice, self.eta_deadline = failed.message, None
            case Done(status=status):
                self.ended, self.eta_deadline = True, None
                if status == JobStatus.COMPLETED:
                    self.percent = 100.0

    @property
    def stage_text(self) -> str:
        """The current stage as the backend words it."""
        if self.state is None:
            return "Connecting"
        return self.state.current_stage_display or self.state.current_stage

    def eta_text(self) -> str:
        """"Est. 2 min 30 sec remaining", counted down to now; "" when unknown or ended."""
        if self.eta_deadline is None:
            return ""
        return format_eta(max(0.0, self.eta_deadline - time.monotonic()))


class ProgressView(Protocol):
    """Where a job's progress goes; a context manager, open while the stream is read."""

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def show(self, event: StreamEvent) -> None:
        """One event of the stream."""

    def finish(self, ending: Ending) -> None:
        """The job ended so."""


class PlainView:
    """One line per stage, for a pipe or a log: " 15%  Script ready  (Est. 20 sec remaining)"."""

    def __init__(self, watched: Watched) -> None:
        self._watched = watched
        self._last_stage: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def show(self, event: StreamEvent) -> None:
        """A line when the stage changes, and for each word about the connection."""
        watched = self._watched
        if isinstance(event, Update):
            stage = event.progress.current_stage or event.progress.current_stage_display
            if stage == self._last_stage:
                return
            self._last_stage = stage
            eta = watched.eta_text()
            after = f"  ({eta})" if eta else ""
            print(f"{format_percent(watched.percent):>4}  {watched.stage_text}{after}", flush=True)
        elif isinstance(event, ServerError | Reconnecting | ConnectionFailed):
            print(f"      {watched.notice}", flush=True)

    def finish(self, ending: Ending) -> None:
        """Where the video is, once it is made (a failure is said on standard error)."""
        if ending.completed:
            print(f"Video ready: python main.py download {ending.job_id}", flush=True)


class JsonView:
    """One JSON object per line: each event as ``{"event": …, …}``, last a ``done`` object."""

    def __init__(self, watched: Watched) -> None:
        self._watched = watched

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def show(self, event: StreamEvent) -> None:
        """The event, unless it is ``done``: ``finish`` writes that one with the job's error."""
        if not isinstance(event, Done):
            print_json(_event_object(event))

    def finish(self, ending: Ending) -> None:
        """The ``done`` object: the job, its status and (failed) why."""
        print_json({"event": "done", "job_id": ending.job_id, "status": ending.status,
                    "error": ending.error or None})


def print_json(value: dict[str, Any]) -> None:
    """One JSON line on standard output."""
    print(json.dumps(value, ensure_ascii=False), flush=True)


def _event_object(event: StreamEvent) -> dict[str, Any]:
    match event:
        case Update(progress=state):
            return {"event": "update", **state.model_dump(mode="json")}
        case ServerError(message=message):
            return {"event": "error", "error": message}
        case Reconnecting(attempt=attempt, max_attempts=max_attempts, reason=reason):
            return {"event": "reconnecting", "attempt": attempt, "max_attempts": max_attempts,
                    "reason": reason}
        case ConnectionFailed(reason=reason):
            return {"event": "connection_failed", "reason": reason}
    raise TypeError(f"not a stream event: {event!r}")


class LiveView:
    """The job drawn live on a terminal: a bar and percent, the stage list with ✓ / spinner /
    ⋯, and the ETA counting down between events (rich redraws it 8 times a second)."""

    BAR_WIDTH = 40

    def __init__(self, watched: Watched, console: Console) -> None:
        self._watched = watched
        self._console = console
        self._spinner = Spinner("dots", style="cyan")
        self._live = Live(console=console, get_renderable=self._screen, refresh_per_second=8)

    def __enter__(self) -> Self:
        self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._live.stop()

    def show(self, event: StreamEvent) -> None:
        """Redraw now (the next refresh would, a moment later)."""
        self._live.refresh()

    def finish(self, ending: Ending) -> None:
        """The last picture stays on screen; below it, where the video is."""
        self._live.stop()
        if ending.completed:
            self._console.print(f"[green]Video ready:[/] python main.py download {ending.job_id}")

    def _screen(self) -> RenderableType:
        watched = self._watched
        heading = Text.assemble(("Aurora", "bold magenta"), f" · job {watched.job_id}")
        bar = Table.grid(padding=(0, 1))
        bar.add_row(ProgressBar(completed=watched.percent, width=self.BAR_WIDTH),
                    Text(format_percent(watched.percent), style="bold"), watched.stage_text)
        footer = (Text(watched.notice, style="yellow") if watched.notice
                  else Text(watched.eta_text(), style="dim"))
        return Group(heading, bar, self._stage_rows(), footer)

    def _stage_rows(self) -> Table:
        """Done stages ✓, the one under way with a spinner (✗ if it failed), then those ⋯ to
        come; between two stages the next one is under way."""
        rows = Table.grid(padding=(0, 1))
        state = self._watched.state
        if state is None:
            return rows
        for stage in state.stages_completed:
            rows.add_row(Text("✓", style="green"), stage.display_name or stage.name)
        pending = [stage.display_name or stage.name for stage in state.stages_pending]
        if not has_ended(state.status) and not self._watched.ended:
            done = {stage.display_name for stage in state.stages_completed}
            current = state.current_stage_display or state.current_stage
            if current in done and pending:
                current = pending.pop(0)
            rows.add_row(self._spinner, Text(current, style="bold"))
        elif state.status == JobStatus.FAILED:
            rows.add_row(Text("✗", style="red"), Text(state.error or self._watched.stage_text,
                                                     style="red"))
        for name in pending:
            rows.add_row(Text("⋯", style="dim"), Text(name, style="dim"))
        return rows
