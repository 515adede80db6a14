"""``JobHub``: one upstream progress stream and one ``ProgressModel`` per job, for every tab.

A tab never talks to the backend: it ``watch``es a job and binds to the shared model, so any
number of tabs on a job cost one upstream connection (the browser's six-per-origin limit on
SSE never comes into play). The stream starts with the first watcher and stops
``grace_seconds`` after the last one lets go; a watcher that comes back within the grace (a
reload) finds the same stream and model. An ended job's model stays ``keep_ended_seconds``
longer, so a tab opened late is in sync at once, with no request at all.

Each job's tracker says when the job ends; the hub announces the end of a job it saw running
through the ``Endings`` it shares with the ``JobDirectory``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from services.client import AuroraClient, InvalidJobId
from services.contract import is_valid_job_id
from services.dashboard.endings import Endings, JobEnded
from services.dashboard.listeners import Unsubscribe
from services.dashboard.progress_model import ProgressModel
from services.dashboard.progress_tracker import ProgressTracker

MAX_GRACE_SECONDS = 10.0
GRACE_SECONDS = 5.0  # how long a stream outlives its last watcher, by default


class Watch:
    """One viewer's hold on a job's shared model; ``release()`` it when the viewer goes away."""

    def __init__(self, model: ProgressModel, release: Callable[[], None]) -> None:
        self.model = model
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        """Let go of the job; only the first call counts, so every exit path may call it."""
        release, self._release = self._release, None
        if release is not None:
            release()


class _Feed:
    """One job's tracker, how many watch it, and when it is due to be dropped."""

    def __init__(self, client: AuroraClient, job_id: str,
                 on_ended: Callable[[_Feed, JobEnded], None]) -> None:
        self.tracker = ProgressTracker(client, job_id,
                                       on_ended=lambda ending: on_ended(self, ending))
        self.watchers = 0
        self.expiry: asyncio.TimerHandle | None = None


class JobHub:
    """Live progress for every tab: one upstream stream and one shared model per watched job.

    Usage, on the NiceGUI event loop::

        hub = JobHub(client)                     # once, in main.py
        watch = hub.watch(job_id)                # starts the stream if nobody watched the job
        ui.label().bind_text_from(watch.model, "stage_text")
        ui.context.client.on_delete(watch.release)
        ...
        await hub.aclose()                       # at shutdown

    Parameters:
        client: the backend's client; every stream goes through it.
        endings: where job ends are announced; share it with the ``JobDirectory``.
        grace_seconds: how long a stream outlives its last watcher (at most 10).
        keep_ended_seconds: how long an ended job's model outlives its last watcher.
    """

    def __init__(
        self,
        client: AuroraClient,
        *,
        endings: Endings | None = None,
        grace_seconds: float = GRACE_SECONDS,
        keep_ended_seconds: float = 60.0,
    ) -> None:
        if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
            raise ValueError(f"grace_seconds must be within 0..{MAX_GRACE_SECONDS:g}")
        self.endings = endings or Endings()
        self._client = client
        self._grace = grace_seconds
        self._keep_ended = keep_ended_seconds
        self._feeds: dict[str, _Feed] = {}
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def open_streams(self) -> int:
        """Upstream streams being followed or still closing (for diagnostics and benchmarks)."""
        following = sum(feed.tracker.following for feed in self._feeds.values())
        return following + len(self._closing)

    def watch(self, job_id: str) -> Watch:
        """Share the job's model, starting its stream if needed.

        A stream that gave up (connection failed) is tried again, as a new viewer expects;
        an ended job's model is handed out as it is. ``InvalidJobId`` before anything starts.
        """
        if not is_valid_job_id(job_id):
            raise InvalidJobId(job_id)
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = _Feed(self._client, job_id, self._ended)
        if feed.expiry is not None:
            feed.expiry.cancel()
            feed.expiry = None
        feed.watchers += 1
        feed.tracker.start()
        return Watch(feed.tracker.model, lambda: self._release(feed))

    def retry(self, job_id: str) -> None:
        """Connect again to a watched job whose stream gave up; anything else is left alone."""
        if (feed := self._feeds.get(job_id)) is not None:
            feed.tracker.start()

    def job_retried(self, job_id: str) -> None:
        """A failed job was retried: every view of it follows its next attempt, and its next
        end is announced like its first. A model nobody watches is forgotten instead, so the
        next watch starts afresh."""
        self.endings.reopen(job_id)
        feed = self._feeds.get(job_id)
        if feed is None or not feed.tracker.model.ended:
            return
        if feed.watchers == 0:
            del self._feeds[job_id]
            self._drop(feed)
        else:
            feed.tracker.begin_again()

    def on_job_ended(self, listener: Callable[[JobEnded], None]) -> Unsubscribe:
        """Hear of every job that ends, once each, seen here or by the directory."""
        return self.endings.subscribe(listener)

    async def aclose(self) -> None:
        """Stop every stream and forget every model; the connections are closed on return."""
        feeds = list(self._feeds.values())
        self._feeds.clear()
        for feed in feeds:
            self._drop(feed)
        if self._closing:
            await asyncio.wait(list(self._closing))

    def _release(self, feed: _Feed) -> None:
        """One watcher fewer; the last one starts the countdown to dropping the feed."""
        if self._feeds.get(feed.tracker.model.job_id) is not feed:
            return  # dropped by aclose() meanwhile
        feed.watchers -= 1
        if feed.watchers == 0:
            self._linger(feed)

    def _ended(self, feed: _Feed, ending: JobEnded) -> None:
        """Announce the end of a job seen running; an unwatched one now lingers as ended."""
        if self._feeds.get(ending.job_id) is not feed:
            return  # dropped meanwhile: its stream is closing, and nobody watches it
        if feed.tracker.seen_running:
            self.endings.announce(ending)
        if feed.watchers == 0:
            self._linger(feed)

    def _linger(self, feed: _Feed) -> None:
        """Drop the feed after the grace (the longer keep for an ended job) unless re-watched."""
        if feed.expiry is not None:
            feed.expiry.cancel()
        delay = self._keep_ended if feed.tracker.model.ended else self._grace
        feed.expiry = asyncio.get_running_loop().call_later(delay, self._expire, feed)

    def _expire(self, feed: _Feed) -> None:
        """Nobody came back in time: forget the job and close its stream."""
        del self._feeds[feed.tracker.model.job_id]
        self._drop(feed)

    def _drop(self, feed: _Feed) -> None:
        """Unhook a feed that is out of the table and close its stream in the background."""
        if feed.expiry is not None:
            feed.expiry.cancel()
            feed.expiry = None
        if feed.tracker.following:
            name = f"hub-stop-{feed.tracker.model.job_id}"
            task = asyncio.create_task(feed.tracker.stop(), name=name)
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
