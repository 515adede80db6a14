"""The progress announcer: a polite live region that tells a screen reader each new stage
once, and the end ("Your video is ready", or why it failed), without moving the focus."""

from __future__ import annotations

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import Phase, ProgressModel


def announcement(phase: Phase, stage_text: str, error: str) -> str:
    """What to say of a job in ``phase`` ("" while there is nothing new to say)."""
    if phase == Phase.COMPLETED:
        return "Your video is ready"
    if phase == Phase.FAILED:
        return f"Generation failed: {error}" if error else "Generation failed"
    return stage_text if phase == Phase.LIVE else ""


class ProgressAnnouncer(ui.label):
    """Visually hidden; its text changes only when there is something new to announce, so
    each stage is said at most once (an ETA tick or a repeated update says nothing)."""

    phase = BindableProperty(on_change=lambda announcer, _: announcer._announce())
    stage_text = BindableProperty(on_change=lambda announcer, _: announcer._announce())
    error = BindableProperty(on_change=lambda announcer, _: announcer._announce())

    def __init__(self, model: ProgressModel) -> None:
        super().__init__()
        self.classes("aurora-sr-only").props("aria-live=polite role=status "
                                      "data-testid=progress-announcer")
        self._said: set[str] = set()
        self.phase, self.stage_text, self.error = model.phase, model.stage_text, model.error
        for name in ("phase", "stage_text", "error"):
            binding.bind_from(self, name, model, name)
        self._announce()

    def _announce(self) -> None:
        """Say what is new, if it has not been said before."""
        text = announcement(self.phase, self.stage_text, self.error)
        if text and text not in self._said:
            self._said.add(text)
            self.set_text(text)
