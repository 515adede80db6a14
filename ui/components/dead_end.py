"""A page's dead end: a centred panel saying why there is nothing to show, then the ways on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui


@contextmanager
def dead_end(icon: str, title: str, reason: str, *, test_id: str) -> Iterator[None]:
    """The panel with ``icon``, ``title`` and ``reason`` (as text); add its actions inside."""
    with ui.column().classes("aurora-panel w-full items-center p-10 gap-3") \
            .props(f"data-testid={test_id}"):
        ui.icon(icon, size="3rem").classes("aurora-muted")
        ui.label(title).classes("text-2xl font-bold")
        ui.label(reason).classes("aurora-muted text-center break-words")
        yield
