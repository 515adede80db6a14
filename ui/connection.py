"""Waiting for the browser before starting work that only a watching tab needs."""

from __future__ import annotations

from nicegui import ui

CONNECT_TIMEOUT = 30.0  # seconds a loaded page may take to open its websocket


async def browser_connected() -> bool:
    """Whether this page's browser opened its websocket in time.

    A page function also runs for a bare GET that never connects (a bot, curl); a stream
    started for it would run until NiceGUI prunes the client, so start nothing then.
    """
    client = ui.context.client
    try:
        await client.connected(timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        return False
    return not client.is_deleted
