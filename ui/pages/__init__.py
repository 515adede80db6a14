"""The dashboard's pages; ``main.py`` calls ``register_pages`` once at start-up."""

from __future__ import annotations

from services.dashboard.shared import Dashboard
from ui.pages import create, jobs, not_found, workspace
from ui.theme import install_theme


def register_pages(dashboard: Dashboard) -> None:
    """Add the Aurora theme, every page and the page for unknown URLs; the pages share the
    dashboard's services."""
    install_theme()
    create.register(dashboard)
    jobs.register(dashboard)
    workspace.register(dashboard)
    not_found.register()
