"""Follows one job's progress stream into a ``ProgressModel``, for as long as the hub wants it.

The ``JobHub`` keeps one tracker per watched job and hands its model to every view of the job
(dialogs, job cards, the workspace page, in any number of tabs); views never hold a tracker.
The tracker tells the hub when the job ends, through the ``on_ended`` callback it is given.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from services.client import AuroraClient, StreamEvent
from services.contract import has_ended
from services.dashboard.endings import JobEnded
from services.dashboard.progress_model import Phase, ProgressModel, apply_event, begin_again

log = logging.getLogger(__name__)


class ProgressTracker:
    """One job, one upstream connection at most, one model.

    ``start()`` connects (again, after the connection failed); ``stop()`` closes the upstream
    connection before it returns. The stream itself retries dropped connections and says so
    with ``Reconnecting`` / ``ConnectionFailed`` events, which land in the model like any other.

    Parameters:
        client: the backend's client.
        job_id: the job to follow.
        on_ended: called once, the moment the model shows the job completed or failed.
    """

    def __init__(self, client: AuroraClient, job_id: str, *,
                 on_ended: Callable[[JobEnded], None]) -> None:
        self.model = ProgressModel(job_id=job_id)
        self.seen_running = False  # whether the stream showed the job running before any end
        self._on_ended = on_ended
        self._client = client
        self._task: asyncio.Task[None] | None = None
        self._last_event_id: str | None = None

    @property
    def following(self) -> bool:
        """Whether the upstream stream is being read right now."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Follow the stream, unless already following or the job has ended."""
        if self.following or self.model.ended:
            return
        self.model.phase = Phase.CONNECTING
        self.model.connection_message = ""
        self._task = asyncio.create_task(self._follow(), name=f"progress-{self.model.job_id}")
        self._task.add_done_callback(_log_crash)

    def begin_again(self) -> None:
        """Follow the job's next attempt after a retry: the model starts over, and the stream
        goes on after the last event seen (the attempt's events come next; ids go on)."""
        if not self.model.ended:
            return
        begin_again(self.model)
        self.seen_running = False
        self.start()

    async def stop(self) -> None:
        """Stop following; the upstream connection is closed when this returns."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])

    async def _follow(self) -> None:
        stream = self._client.progress(self.model.job_id, last_event_id=self._last_event_id)
        async with stream:
            try:
                async for event in stream:
                    self._apply(event)
            finally:
                self._last_event_id = stream.last_event_id

    def _apply(self, event: StreamEvent) -> None:
        """Fold ``event`` into the model; on a change of phase, note a running job or its end."""
        model = self.model
        phase = model.phase
        apply_event(model, event)
        if model.phase == phase:
            return
        if model.phase == Phase.LIVE and not has_ended(model.status):
            self.seen_running = True
        elif model.ended:
            self._on_ended(JobEnded(model.job_id, model.status, error=model.error or None))


def _log_crash(task: asyncio.Task[None]) -> None:
    """Make a bug in following a stream visible in the log instead of silent."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("progress tracker %s crashed", task.get_name(), exc_info=error)
