"""The dashboard's pages; ``main.py`` calls ``register_pages`` once at start-up."""

from __future__ import annotations

from services.dashboard.shared import Dashboard
from ui.access import Access
from ui.keyboard import install_keyboard
from ui.notifications import install_notifications
from ui.pages import account, create, jobs, login, not_found, workspace
from ui.theme import install_theme


def register_pages(dashboard: Dashboard, access: Access) -> None:
    """Add the Aurora theme and the pages' scripts (notifications, the dialog's keyboard use),
    every page, sign-in and the page for unknown URLs; the pages share the dashboard's
    services."""
    install_theme()
    install_notifications()
    install_keyboard()
    create.register(dashboard)
    jobs.register(dashboard)
    workspace.register(dashboard)
    account.register(dashboard)
    login.register(dashboard, access)
    not_found.register()
