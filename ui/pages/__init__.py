"""The dashboard's pages; ``main.py`` calls ``register_pages`` once at start-up."""

from __future__ import annotations

from services.client import AuroraClient
from ui.pages import create, workspace
from ui.theme import install_theme


def register_pages(client: AuroraClient) -> None:
    """Add the Aurora theme and every page, all talking to the backend through ``client``."""
    install_theme()
    create.register(client)
    workspace.register(client)
