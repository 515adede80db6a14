"""The stage list: ✓ for completed, a spinner for the current stage, ⋯ for pending ones.

Rows are kept and updated in place rather than rebuilt, so a row that turns completed keeps
its DOM node and only its ``data-state`` changes: the CSS then pops the checkmark once,
instead of every row fading in again on every update. The marks themselves are drawn by
CSS from ``data-state`` (``ui/theme.py``), so a row's text is exactly the stage's name.
"""

from __future__ import annotations

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.progress_model import ProgressModel, StageRow


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
    """Every listed stage of a job, following ``model.stages``."""

    stages = BindableProperty(on_change=lambda stage_list, _: stage_list._sync())

    def __init__(self, model: ProgressModel) -> None:
        super().__init__("div")
        self.classes("aurora-stages w-full").props("role=list aria-label=Stages")
        self._items: list[StageItem] = []
        self.stages = []
        binding.bind_from(self, "stages", model, "stages")
        self._sync()

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
