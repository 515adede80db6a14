"""``QueueOutlook``: under Create's button, what a new job would wait (``queue-estimate``).

It asks the backend (``GET /api/v1/queue``, for this user: fair share decides whom a new job
waits behind) when the page opens and whenever the job list changes (a job queued, started
or ended), and counts the estimate down between two answers. A backend without the
extension gets no line at all; one that cannot answer just now leaves the last one out.
"""

from __future__ import annotations

import time

from nicegui import ui

from services.client import AuroraClient, AuroraError, QueueNotSupported
from services.contract import JobList
from services.dashboard.directory import JobDirectory
from ui.format import format_queue_outlook

COUNT_DOWN_SECONDS = 1.0


class QueueOutlook(ui.label):
    """"Starts right away" or "Starts in about 1 min · 3 videos waiting", kept fresh."""

    def __init__(self, client: AuroraClient, *, user: str | None) -> None:
        super().__init__()
        self.classes("aurora-muted text-sm").props("data-testid=queue-estimate aria-live=polite")
        self._api = client
        self._user = user
        self._starts_at: float | None = None  # time.monotonic() of the estimated start
        self._waiting = 0
        self._waited = False  # the last answer said a new job would wait
        self._supported = True
        self.set_visibility(False)
        self._timer = ui.timer(COUNT_DOWN_SECONDS, self._show)

    def follow(self, directory: JobDirectory) -> None:
        """Ask now, and again at each change of the job list, until the tab is deleted."""
        ui.context.client.on_delete(directory.on_change(self._list_changed))
        ui.timer(0, self.refresh, once=True)

    def _list_changed(self, _: JobList) -> None:
        if not self.is_deleted:
            with self:
                ui.timer(0, self.refresh, once=True)

    async def refresh(self) -> None:
        """Ask the backend what a new job of this user's would wait now."""
        if not self._supported:
            return
        try:
            queue = await self._api.queue(user=self._user)
        except QueueNotSupported:
            self._supported = False
            self._starts_at = None
        except AuroraError:
            self._starts_at = None
        else:
            start = queue.estimated_start_seconds
            self._starts_at = None if start is None else time.monotonic() + start
            self._waited = bool(start and start >= 1)
            self._waiting = queue.pending
        self._show()

    def _show(self) -> None:
        """The line as of now (the estimate counted down), hidden when there is none."""
        if self.is_deleted:
            return
        left = None if self._starts_at is None else max(0.0, self._starts_at - time.monotonic())
        if left is not None and self._waited:  # a wait never counts down to "right away":
            left = max(1.0, left)  # only the backend's next answer can say so
        text = format_queue_outlook(left, self._waiting)
        self.set_text(text)
        self.set_visibility(bool(text))
