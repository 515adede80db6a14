"""The tab's title while it shows a job's progress: "45% · Generating scene 3 · Aurora Studio",
so a user in another tab sees how far the video is; the page's own title again once the job
ends or the view closes.

The title changes at most once every ``RETITLE_SECONDS``, showing the latest state each time:
a title change is costly for the browser (it goes to the browser process and to whatever
follows the tab list), and a wall of tabs on a fast-moving job would pay it for every update.
"""

from __future__ import annotations

import asyncio
import time

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import Phase, ProgressModel
from services.wording import format_percent
from ui.theme import PRODUCT

_SHOWN_IN = frozenset({Phase.LIVE, Phase.RECONNECTING})  # a stage to tell, and still running
RETITLE_SECONDS = 1.0


def progress_title(phase: Phase, percent: float, stage_text: str) -> str | None:
    """What the title says of a job in ``phase``; None where the page's own title is right."""
    if phase not in _SHOWN_IN or not stage_text:
        return None
    return f"{format_percent(percent)} · {stage_text} · {PRODUCT}"


class TabTitle(ui.element):
    """An invisible element that keeps the tab's title on its job's progress while it exists
    (a dialog or a live workspace holds one; deleting it gives the page its title back)."""

    phase = BindableProperty(on_change=lambda title, _: title._show())
    percent = BindableProperty(on_change=lambda title, _: title._show())
    stage_text = BindableProperty(on_change=lambda title, _: title._show())

    def __init__(self, model: ProgressModel) -> None:
        super().__init__()
        self.set_visibility(False)
        self._page_title = self.client.resolve_title()
        self._shown: str | None = None
        self._shown_at = -RETITLE_SECONDS  # monotonic seconds of the last change
        self._later: asyncio.TimerHandle | None = None  # the next change, when it had to wait
        self.phase, self.percent, self.stage_text = model.phase, model.percent, model.stage_text
        for name in ("phase", "percent", "stage_text"):
            binding.bind_from(self, name, model, name)
        self._show()

    def _show(self) -> None:
        """Put the title the job's state calls for, if it changed: now, or as soon as the
        last change is ``RETITLE_SECONDS`` old."""
        title = progress_title(self.phase, self.percent, self.stage_text) or self._page_title
        if title == self._shown or self._later is not None:
            return
        wait = self._shown_at + RETITLE_SECONDS - time.monotonic()
        if wait > 0:
            self._later = asyncio.get_running_loop().call_later(wait, self._show_later)
            return
        self._shown, self._shown_at = title, time.monotonic()
        with self.client:
            ui.page_title(title)

    def _show_later(self) -> None:
        self._later = None
        if not self.is_deleted:
            self._show()

    def _handle_delete(self) -> None:
        """The view is gone: the page's own title again (unless the whole tab went)."""
        if self._later is not None:
            self._later.cancel()
        if not self.client.is_deleted and self._shown != self._page_title:
            with self.client:
                ui.page_title(self._page_title)
        super()._handle_delete()
