"""The dashboard's pages (placeholder until the Create page lands)."""

from __future__ import annotations

from typing import Any

from nicegui import ui


def register_pages(client: Any) -> None:
    """Register every page of the dashboard."""

    @ui.page("/")
    def create() -> None:
        ui.label("Aurora Studio")
