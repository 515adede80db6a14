"""Deleting ended jobs: ``DELETE /api/v1/jobs/{id}`` and retention (``AURORA_RETENTION_DAYS``)
take this one path, so a job is gone the same way either way.

Its media files go first, then its record: a job whose files could not all be removed (an
object store away) keeps its record, so it is still listed and can be deleted again, and no
file is ever left behind with no record to find it by. A job still waiting or rendering is
not deleted (cancel it first): its render would write files for a record that is gone.
"""

from __future__ import annotations

import asyncio
import logging
import time

from services.backend.feed import ChangeLog
from services.backend.media import MediaStore
from services.backend.queue import JobNotFound
from services.backend.store import JobStore
from services.contract import DeletedData

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600
RETENTION_EVERY_SECONDS = 3600.0  # how often retention looks for jobs past their time


class JobNotEnded(Exception):
    """The job waits or renders: it cannot be deleted until it ends."""


class JobDeletion:
    """Deletes ended jobs, one at a time or as retention finds them."""

    def __init__(self, *, store: JobStore, media: MediaStore, changes: ChangeLog) -> None:
        self._store = store
        self._media = media
        self._changes = changes

    async def delete(self, job_id: str) -> None:
        """Remove the ended job's files, then its record (``JobNotFound``, ``JobNotEnded``);
        then tell the lists it is gone."""
        record = await self._store.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        if not record.ended:
            raise JobNotEnded(job_id)
        await self._media.delete(job_id)
        await self._store.delete(job_id)
        await self._changes.record("deleted", DeletedData(job_id=job_id).model_dump_json(),
                                   record.owner)

    async def keep_for(self, days: float) -> None:
        """Forever, every hour from now: delete the jobs that ended more than ``days`` ago."""
        while True:
            try:
                await self.delete_ended_before(time.time() - days * DAY_SECONDS)
            except Exception:  # a store or media store away this time: the next round tries
                log.exception("retention could not delete the old jobs")
            await asyncio.sleep(RETENTION_EVERY_SECONDS)

    async def delete_ended_before(self, moment: float) -> int:
        """Delete every job that ended before ``moment``; how many were deleted."""
        deleted = 0
        for job_id in await self._store.ended_before(moment):
            try:
                await self.delete(job_id)
            except (JobNotFound, JobNotEnded):
                continue  # deleted meanwhile, or retried: no longer old and ended
            deleted += 1
        if deleted:
            log.info("retention deleted %d jobs that ended before %s", deleted,
                     time.strftime("%Y-%m-%d %H:%M", time.localtime(moment)))
        return deleted
