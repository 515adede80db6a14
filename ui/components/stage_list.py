"""The stage list: ✓ for completed, a spinner for the current stage, ⋯ for pending ones.

Rows are kept and updated in place rather than rebuilt, so a row that turns completed keeps
its DOM node and only its ``data-state`` changes: the CSS then pops the checkmark once,
instead of every row fading in again on every update. The marks themselves are drawn by
CSS from ``data-state`` (``ui/theme.css``), so a row's text is exactly the stage's name; the
list's ``data-phase`` (the job's ``Phase``) lets the CSS stop the spinner of a connection
that has given up.
"""

from __future__ import annotations

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import Phase, ProgressModel, StageRow


class StageItem(ui.element):
    """One row: a state mark and the stage's display text."""

    def __init__(self) -> None:
        super().__init__("div")
        self.classes("aurora-stage")
        self.props.update({"role": "listitem", "data-testid": "stage-item"})
        with self:
            ui.element("span").classes("aurora-stage-icon").props("aria-hidden=true")
            self._label = ui.label()

    def show(self, row: StageRow) -> None:
        """Show ``row``'s text and state."""
        self._label.set_text(row.text)
        self.props["data-state"] = row.state.value


class StageList(ui.element):
    """Every listed stage of a job, following ``model.stages`` and ``model.phase``."""

    stages = BindableProperty(on_change=lambda stage_list, _: stage_list._sync())
    phase = BindableProperty(on_change=lambda stage_list, phase: stage_list._show_phase(phase))

    def __init__(self, model: ProgressModel) -> None:
        super().__init__("div")
        self.classes("aurora-stages w-full").props("role=list aria-label=Stages")
        self._items: list[StageItem] = []
        self.stages = []
        self.phase = model.phase
        binding.bind_from(self, "stages", model, "stages")
        binding.bind_from(self, "phase", model, "phase")
        self._show_phase(self.phase)  # a property's first value does not call its on_change
        self._sync()

    def _show_phase(self, phase: Phase) -> None:
        """Put the job's phase in ``data-phase``, for the CSS."""
        self.props["data-phase"] = str(phase)

    def _sync(self) -> None:
        """Match the rows to ``stages`` by position: add, update, drop."""
        rows: list[StageRow] = self.stages
        for item in self._items[len(rows):]:
            item.delete()
        del self._items[len(rows):]
        for index, row in enumerate(rows):
            if index == len(self._items):
                with self:
                    self._items.append(StageItem())
            self._items[index].show(row)
