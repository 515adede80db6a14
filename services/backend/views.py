"""Job records as the contract's models: summaries, details and progress states.

Asset URLs are made here, at the moment a client reads them, so every answer carries URLs
that are valid for the media store's full TTL.
"""

from __future__ import annotations

from typing import Any

from services.backend.media import MediaStore
from services.backend.store import JobRecord
from services.contract import AssetInfo, JobDetail, JobSummary, ProgressAssets, ProgressResponse
from services.contract.stages import stage_display, stage_lists


def _asset(media: MediaStore, job_id: str, entry: dict[str, Any], key: str,
           scene_number: int | None = None) -> AssetInfo:
    return AssetInfo(url=media.url(job_id, entry[key]), scene_number=scene_number,
                     created_at=entry["created_at"])


def assets_of(record: JobRecord, media: MediaStore) -> ProgressAssets:
    """The job's finished media as expiring URLs, scenes in scene order."""
    scenes = sorted(record.assets.get("scenes", {}).items(), key=lambda item: int(item[0]))
    audio = record.assets.get("audio")
    final = record.assets.get("final")
    return ProgressAssets(
        scene_clips=[_asset(media, record.job_id, entry, "clip", int(number))
                     for number, entry in scenes],
        thumbnails=[_asset(media, record.job_id, entry, "thumbnail", int(number))
                    for number, entry in scenes],
        audio=None if audio is None else _asset(media, record.job_id, audio, "file"),
        final_video=None if final is None else _asset(media, record.job_id, final, "file"),
    )


def summary_of(record: JobRecord, media: MediaStore, queue_position: int | None) -> JobSummary:
    """A row of the job list, with its first scene's picture once there is one;
    ``queue_position`` where it waits (None: it does not)."""
    scenes = record.assets.get("scenes", {})
    first = scenes[min(scenes, key=int)] if scenes else None
    return JobSummary(
        job_id=record.job_id, status=record.status, progress=record.progress,
        prompt=record.prompt, duration=record.duration, aspect_ratio=record.aspect_ratio,
        style=record.style, current_stage=record.current_stage,
        current_stage_display=stage_display(record.current_stage),
        created_at=record.created_at, updated_at=record.updated_at, error=record.error,
        owner=record.owner, queue_position=queue_position, attempt=record.attempt,
        thumbnail_url=None if first is None else media.url(record.job_id, first["thumbnail"]),
    )


def progress_of(
    record: JobRecord, media: MediaStore, eta_seconds: float | None, queue_position: int | None
) -> ProgressResponse:
    """The state an ``update`` event carries."""
    completed, pending = stage_lists(record.current_stage, record.scene_count, record.stage_times)
    return ProgressResponse(
        job_id=record.job_id, status=record.status, progress=record.progress,
        current_stage=record.current_stage,
        current_stage_display=stage_display(record.current_stage),
        stages_completed=completed, stages_pending=pending,
        estimated_time_remaining=eta_seconds, assets=assets_of(record, media),
        error=record.error, queue_position=queue_position,
    )


def detail_of(record: JobRecord, media: MediaStore, eta_seconds: float | None,
              queue_position: int | None) -> JobDetail:
    """``GET /api/v1/jobs/{id}``: the summary, the progress state and the script."""
    state = progress_of(record, media, eta_seconds, queue_position)
    return JobDetail(
        **summary_of(record, media, queue_position).model_dump(),
        stages_completed=state.stages_completed, stages_pending=state.stages_pending,
        estimated_time_remaining=state.estimated_time_remaining, assets=state.assets,
        script=record.script,
    )
