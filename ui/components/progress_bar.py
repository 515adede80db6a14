"""The overall progress bar: a gradient fill that grows smoothly, and ARIA values."""

from __future__ import annotations

import math

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import ProgressModel


class ProgressBar(ui.element):
    """A thin bar following ``model.percent``; ``aria-valuenow`` is the whole percent shown,
    and ``aria-valuetext`` says it with the stage ("45 percent, Generating scene 3")."""

    percent = BindableProperty(on_change=lambda bar, _: bar._show())
    stage_text = BindableProperty(on_change=lambda bar, _: bar._show())

    def __init__(self, model: ProgressModel) -> None:
        super().__init__("div")
        self.classes("aurora-bar")
        self.props.update({"role": "progressbar", "aria-label": "Overall progress",
                           "aria-valuemin": 0, "aria-valuemax": 100,
                           "data-testid": "progress-bar"})
        with self:
            self._fill = ui.element("div").classes("aurora-bar-fill")
        self.percent, self.stage_text = 0.0, ""
        self._show()
        binding.bind_from(self, "percent", model, "percent")
        binding.bind_from(self, "stage_text", model, "stage_text")

    def _show(self) -> None:
        """Scale the full-width fill rather than size it, so the browser animates it off the
        main thread."""
        whole = math.floor(self.percent)
        self.props["aria-valuenow"] = whole
        self.props["aria-valuetext"] = ", ".join(
            part for part in (f"{whole} percent", self.stage_text) if part)
        self._fill.style["transform"] = f"scaleX({self.percent / 100:.4f})"
