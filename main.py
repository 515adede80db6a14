"""Aurora Studio: start the dashboard, with the embedded backend unless a remote one is set.

Imports live inside the functions: render workers are spawned processes, and a spawned
process re-imports this file, which must then cost nothing and start nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.settings import Settings


def serve(settings: Settings) -> None:
    """Build the shared services, mount the backend (when embedded), add the pages, run."""
    from nicegui import app, run, ui

    from services.dashboard import Dashboard
    from ui.pages import register_pages

    dashboard = Dashboard.create(settings)
    app.on_shutdown(dashboard.aclose)  # first: its streams close before the backend stops
    dashboard.media.install(app)
    if settings.embedded:
        from services.backend.app import EmbeddedBackend

        backend = EmbeddedBackend(settings)
        backend.install(app)
        app.on_startup(backend.start)
        app.on_shutdown(backend.stop)
    register_pages(dashboard)
    run.process_pool_start_method = "spawn"
    ui.run(host=settings.host, port=settings.port, title="Aurora Studio", dark=True,
           reload=False, show=False, favicon="🎬", timeout_graceful_shutdown=3)


def main(argv: Sequence[str] | None = None) -> None:
    """Read the settings; a wrong one stops start-up with one clear line and exit code 2."""
    from services.settings import SettingsError, load_settings
    from services.startup import check_startup

    try:
        settings = load_settings(sys.argv[1:] if argv is None else argv)
        check_startup(settings)
    except SettingsError as error:
        print(f"aurora: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    serve(settings)


if __name__ == "__main__":
    main()
