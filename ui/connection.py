"""Waiting for the browser before starting the work that only a watching tab needs."""

from __future__ import annotations

from nicegui import ui

CONNECT_TIMEOUT = 30.0  # seconds a loaded page may take to open its websocket


async def tab_opened() -> bool:
    """Whether this page's browser opened its websocket in time.

    Every page awaits this before starting per-tab work (toasts, streams, pollers). A page
    function also runs for a bare GET that never connects (a bot, curl); work started for it
    would run until NiceGUI prunes the client, so nothing starts then.
    """
    client = ui.context.client
    try:
        await client.connected(timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        return False
    return not client.is_deleted
