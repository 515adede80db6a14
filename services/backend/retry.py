"""A failed job taken up again: the same job, as its next attempt, keeping the work it finished.

The scenes (with their thumbnails) and the music an earlier attempt made stay in the job's
assets, so the driver renders only the rest (``pieces.is_finished``). The job waits at the last
stage that work completes, so the first state told after the retry already lists it completed,
and its progress does not drop back to 0 for a while.
"""

from __future__ import annotations

from services.backend.progression import completed_stage
from services.backend.store import JobRecord
from services.contract import JobStatus, stages


def may_retry(record: JobRecord) -> bool:
    """Only a failed job (its own error, a cancel, a restart) can run again."""
    return record.status == JobStatus.FAILED


def reopen(record: JobRecord) -> None:
    """Make a failed job pending again as its next attempt: its error cleared, its work kept."""
    record.status = JobStatus.PENDING
    record.error = None
    record.attempt += 1
    record.current_stage = completed_stage(record)
    record.progress = stages.stage_progress(record.current_stage, record.scene_count)
