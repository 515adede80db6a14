"""What went wrong in a test's browser and in the app's log, for checks at the end of a test."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Error, Page

from testkit.app_process import AppProcess

# Text a Python error leaves when it reaches a page: a traceback or an exception's class name.
ERROR_TRACE = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b|File \"")


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
