"""Waiting for the browser before starting the work that only a watching tab needs."""

from __future__ import annotations

from nicegui import ui

from services.dashboard.directory import JobDirectory
from ui.toasts import toast_job_endings

CONNECT_TIMEOUT = 30.0  # seconds a loaded page may take to open its websocket


async def tab_opened(directory: JobDirectory) -> bool:
    """Whether this page's browser opened its websocket in time; if so, it now gets toasts.

    Every page awaits this before starting per-tab work (streams, subscriptions, pollers). A
    page function also runs for a bare GET that never connects (a bot, curl); work started
    for it would run until NiceGUI prunes the client, so nothing starts then.
    """
    client = ui.context.client
    try:
        await client.connected(timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        return False
    if client.is_deleted:
        return False
    toast_job_endings(directory)
    return True
