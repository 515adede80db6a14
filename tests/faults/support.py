"""What the fault tests need beyond ``tests/ui/support.py``: a page's text history, a record of
what went wrong in the browser and in the app's log, and a backend that can be switched off.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Error, Page, expect

from tests.support.app_process import AppProcess, free_port

# Records, in the page, every text the watched elements show while visible, in order
# (``window.auroraTexts``): a notice that is up for half a second is still on record.
TEXT_TRACE_SCRIPT = """
(() => {
  const ids = ['connection-status', 'current-stage', 'progress-percent', 'error-message'];
  const seen = window.auroraTexts = Object.fromEntries(ids.map((id) => [id, []]));
  const record = () => {
    for (const id of ids) {
      const element = document.querySelector(`[data-testid="${id}"]`);
      const text = element && element.offsetParent !== null ? element.textContent.trim() : '';
      const list = seen[id];
      if (text && list[list.length - 1] !== text) list.push(text);
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true});
})();
"""

# Text a Python error leaves when it reaches a page: a traceback or an exception's class name.
ERROR_TRACE = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b|File \"")


def expect_toast(page: Page, text: str) -> None:
    """A notification containing ``text`` is up (other toasts may be up beside it)."""
    expect(page.locator(".q-notification").filter(has_text=text).last).to_be_visible()


def seen_texts(page: Page, test_id: str) -> list[str]:
    """Every text ``test_id`` showed since the page loaded (``TEXT_TRACE_SCRIPT``)."""
    texts: list[str] = page.evaluate("(id) => window.auroraTexts[id]", test_id)
    return texts


@dataclass
class BrowserTrouble:
    """What went wrong in a browser context: uncaught errors, console errors, JS dialogs.

    A resource that failed to load (a media URL the peer does not serve) and the websocket's
    complaints while the app restarts are the network's business, not a page error.
    """

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        """Record everything ``context``'s pages do from now on; JS dialogs are dismissed."""
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        context.on("console", self._console)
        context.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        network = ("Failed to load resource", "WebSocket connection", "net::ERR_")
        if message.type == "error" and not text.startswith(network):
            self.console_errors.append(text)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(Error):
            dialog.dismiss()

    def check(self, pages: list[Page]) -> None:
        """No uncaught error, console error or dialog, and no error trace in any open page."""
        assert self.dialogs == [], f"a JS dialog opened: {self.dialogs}"
        assert self.page_errors == [], f"uncaught errors in the page: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        for page in pages:
            text = page.locator("body").inner_text()
            assert not ERROR_TRACE.search(text), f"an error trace in {page.url}: {text[:2000]}"


class LogWatch:
    """The part of an app's log written from now on: it must hold no traceback."""

    def __init__(self, app: AppProcess) -> None:
        self._app = app
        self._start = len(app.log())

    def new_text(self) -> str:
        """What the app logged since the watch began."""
        return self._app.log()[self._start:]

    def check(self) -> None:
        """Fail with the new log if the app logged a traceback."""
        logged = self.new_text()
        assert "Traceback" not in logged, f"the app logged a traceback:\n{logged[-4000:]}"


class Relay:
    """A loopback TCP port that forwards to ``target_port`` while up and refuses while down.

    A backend that is down is one nobody listens for: ``down()`` closes the listening socket
    and every relayed connection, ``up()`` listens again on the same port.
    """

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._target = target_port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def up(self) -> None:
        """Listen and forward."""
        self._call(self._up())

    def down(self) -> None:
        """Stop listening and cut every relayed connection."""
        self._call(self._down())

    def close(self) -> None:
        """Go down for good and stop the relay's thread."""
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine: Any) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=5)

    async def _up(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        if server is not None:
            await server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self._target)
        except OSError:
            writer.close()
            return
        pairs = ((reader, upstream_writer), (upstream_reader, writer))
        self._writers.update((writer, upstream_writer))
        try:
            await asyncio.gather(*(self._pipe(source, sink) for source, sink in pairs))
        finally:
            self._writers.difference_update((writer, upstream_writer))

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()
