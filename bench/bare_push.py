"""The floor for ``bench.many_tabs``: a bare NiceGUI page whose one label the server rewrites.

Every tab on ``/`` shows one label bound to one bindable value; ``GET /start`` makes the
server set it ``events`` times, ``gap`` seconds apart, to "Event k sent at <wall clock>", the
text ``bench.event_to_dom.OBSERVER`` times in the browser. Nothing else runs: no backend, no
stream, no dialog, so what it measures is NiceGUI's own push from a change to the DOM.

    python -m bench.bare_push --port 8123 --events 50 --gap 0.15
"""

from __future__ import annotations

import argparse
import asyncio
import time

from nicegui import app, background_tasks, ui
from nicegui.binding import BindableProperty


class Ticker:
    """The one value every tab's label is bound to."""

    text = BindableProperty()

    def __init__(self) -> None:
        self.text = "Waiting for the bench"


def main() -> None:
    """Serve the page until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.15)
    options = parser.parse_args()
    ticker = Ticker()

    async def push() -> None:
        for index in range(1, options.events + 1):
            ticker.text = f"Event {index} sent at {time.time():.6f}"
            await asyncio.sleep(options.gap)

    @ui.page("/")
    def page() -> None:
        ui.label().bind_text_from(ticker, "text").props("data-testid=current-stage")

    @app.get("/start")
    def start() -> dict[str, bool]:
        background_tasks.create(push(), name="bare-push")
        return {"started": True}

    ui.run(host="127.0.0.1", port=options.port, reload=False, show=False, dark=True)


if __name__ == "__main__":
    main()
