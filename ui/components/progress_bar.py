"""The overall progress bar: a gradient fill that grows smoothly, and ARIA values."""

from __future__ import annotations

import math

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import ProgressModel


class ProgressBar(ui.element):
    """A thin bar following ``model.percent``; ``aria-valuenow`` is the whole percent shown."""

    percent = BindableProperty(on_change=lambda bar, value: bar._show(value))

    def __init__(self, model: ProgressModel) -> None:
        super().__init__("div")
        self.classes("aurora-bar")
        self.props.update({"role": "progressbar", "aria-label": "Overall progress",
                           "aria-valuemin": 0, "aria-valuemax": 100,
                           "data-testid": "progress-bar"})
        with self:
            self._fill = ui.element("div").classes("aurora-bar-fill")
        self.percent = 0.0
        self._show(0.0)
        binding.bind_from(self, "percent", model, "percent")

    def _show(self, percent: float) -> None:
        """Scale the full-width fill rather than size it, so the browser animates it off the
        main thread."""
        self.props["aria-valuenow"] = math.floor(percent)
        self._fill.style["transform"] = f"scaleX({percent / 100:.4f})"
