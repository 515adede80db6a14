"""Recording a job's changes: each one stored first, then published to the job's streams and
to the change log that keeps job lists live (``GET /api/v1/events``).

Storing first means a stream that opens after any change, on this process or after a restart,
reads that change from the store; the feed carries it to the streams already open. Every end
of a job (its last stage, or a failure) passes through here, on whichever process it happens,
and goes on to the job's webhook.
"""

from __future__ import annotations

import logging
import time

from services.backend.feed import ChangeLog, FeedUnavailable, ProgressFeed
from services.backend.job_log import note
from services.backend.persist import until_stored
from services.backend.presenter import JobPresenter
from services.backend.progression import due_stages
from services.backend.store import JobRecord, JobStore, StoreUnavailable
from services.backend.webhooks import Webhooks
from services.contract import CANCELLED_ERROR, JobStatus, stages

log = logging.getLogger(__name__)


class Publisher:
    """Stores a job's record with its next event id and publishes its state under that id,
    and its list row as the next change."""

    def __init__(self, *, store: JobStore, feed: ProgressFeed, changes: ChangeLog,
                 presenter: JobPresenter, webhooks: Webhooks) -> None:
        self._store = store
        self._feed = feed
        self._changes = changes
        self._presenter = presenter
        self._webhooks = webhooks

    async def catch_up(self, record: JobRecord) -> int:
        """Publish, in order, every stage the job's finished work has reached since the last
        (``progression.due_stages``); how many."""
        due = due_stages(record)
        for stage in due:
            await self.advance(record, stage)
        return len(due)

    async def advance(self, record: JobRecord, stage: str) -> None:
        """Move the job to ``stage``, with its progress and the time a logical stage ended;
        the last stage completes the job (only that one: a composition finished before
        "composing" was published publishes it still processing, then "complete")."""
        record.current_stage = stage
        if stage == stages.COMPLETE:
            record.status = JobStatus.COMPLETED
        record.progress = stages.stage_progress(stage, record.scene_count)
        finished = stages.logical_stage_finished_by(stage)
        if finished is not None:
            record.stage_times[finished] = time.time()
        await self.publish(record)
        await note(self._store, record.job_id, stages.stage_display(stage))
        if stage == stages.COMPLETE:
            self._ended(record)

    async def fail(self, record: JobRecord, message: str) -> None:
        """End the job as failed, saying why; stored however long the store takes to answer."""
        record.status = JobStatus.FAILED
        record.error = message
        await until_stored(lambda: self.publish(record), what=f"job {record.job_id}'s end")
        await note(self._store, record.job_id,
                   f"Ended at “{stages.stage_display(record.current_stage)}”: {message}",
                   "warning" if message == CANCELLED_ERROR else "error")
        self._ended(record)

    async def interrupted(self, job_id: str) -> None:
        """The store has just marked the job "Interrupted by restart" (``fail_interrupted``):
        that end goes to the lists and to its webhook like any other."""
        record = await self._store.get(job_id)
        if record is not None:
            await self._tell_lists(record)
            self._ended(record)

    def _ended(self, record: JobRecord) -> None:
        """Hand the job's end to its webhook, if it has one (delivered from a task of its
        own: ``webhooks.py``)."""
        self._webhooks.job_ended(self._presenter.row(record), record.webhook_url)

    async def republish(self, record: JobRecord) -> None:
        """Tell the job's streams its stored state once more. On a cluster, a process killed
        between storing a state and publishing it leaves that state out of the streams; the
        next process to change the job calls this first, so no event id goes missing (the
        feed takes each id once, so a state already published is not sent twice)."""
        if record.event_id == 0:
            return
        state = await self._presenter.state(record)
        try:
            await self._feed.publish(record.job_id, record.event_id, state)
        except FeedUnavailable as error:
            log.warning("job %s: event %d not published again: %s", record.job_id,
                        record.event_id, error)
        await self._tell_lists(record)  # a list that had it reads the same row again: harmless

    async def publish(self, record: JobRecord) -> None:
        """Store the record as it is now and tell the job's streams (nothing changes if the
        store refuses, so the same state can be published again)."""
        record.event_id += 1
        try:
            await self._store.save(record)
        except StoreUnavailable:
            record.event_id -= 1
            raise
        state = await self._presenter.state(record)
        try:
            await self._feed.publish(record.job_id, record.event_id, state)
        except FeedUnavailable as error:  # stored already: open streams catch up from the store
            log.warning("job %s: event %d not published: %s", record.job_id, record.event_id,
                        error)
        await self._tell_lists(record)

    async def _tell_lists(self, record: JobRecord) -> None:
        """Record the job's list row as it is now in the change log."""
        row = self._presenter.row(record)
        await self._changes.record("job", row.model_dump_json(), record.owner)
