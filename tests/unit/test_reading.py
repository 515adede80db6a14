"""Reading what a backend sends, robustly: nulls, missing fields, odd values and unreadable rows.

The table holds every optional field of the answers a page shows, each read once as
``null`` and once missing; what it reads as ("not given") is written out by hand.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from services.contract import (
    GenerateRequest,
    JobDetail,
    JobList,
    JobLog,
    JobSummary,
    LogEntry,
    ProgressResponse,
    QueueState,
    reading,
)

STAGE = {"name": "scene_1", "display_name": "Scene 1 ready", "progress": 100,
         "completed_at": 1_700_000_100.0}
ASSETS = {"scene_clips": [{"url": "/c1.mp4", "scene_number": 1, "created_at": 1.0}],
          "thumbnails": [{"url": "/t1.jpg", "scene_number": 1, "created_at": 1.0}],
          "audio": {"url": "/a.m4a", "created_at": 2.0},
          "final_video": {"url": "/v.mp4", "created_at": 3.0}}
SUMMARY = {"job_id": "job-1", "status": "processing", "progress": 40.0,
           "prompt": "A fox at dawn", "duration": 30, "aspect_ratio": "9:16",
           "style": "cinematic", "current_stage": "scene_2_generating",
           "current_stage_display": "Generating scene 2", "created_at": 1_700_000_000.0,
           "updated_at": 1_700_000_050.0, "error": "none yet", "owner": "ada",
           "queue_position": 2, "attempt": 2, "thumbnail_url": "/t1.jpg"}
PROGRESS_ONLY = {"stages_completed": [STAGE], "stages_pending": [STAGE],
                 "estimated_time_remaining": 75.5, "assets": ASSETS}
DETAIL = {**SUMMARY, **PROGRESS_ONLY, "script": ["A fox wakes", "It runs"]}
PROGRESS = {key: SUMMARY[key] for key in ("job_id", "status", "progress", "current_stage",
                                          "current_stage_display", "error",
                                          "queue_position")} | PROGRESS_ONLY
QUEUE = {"pending": 3, "running": 1, "workers": 4, "estimated_start_seconds": 42.5}
LOG_LINE = {"at": 1_700_000_010.0, "level": "warning", "message": "Cancel asked by ada"}
LOG = {"lines": [LOG_LINE]}

# What each optional field reads as when the backend does not give it.
NOT_GIVEN: dict[str, Any] = {
    "progress": 0, "prompt": "", "duration": None, "aspect_ratio": "", "style": "",
    "current_stage": "", "current_stage_display": "", "created_at": 0, "updated_at": 0,
    "error": None, "owner": None, "stages_completed": [], "stages_pending": [],
    "estimated_time_remaining": None, "assets": None, "script": None, "queue_position": None,
    "attempt": None, "pending": 0, "running": 0, "workers": 0, "estimated_start_seconds": None,
    "thumbnail_url": None, "at": 0, "level": "info", "message": "", "lines": [],
}
ANSWERS: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (JobSummary, SUMMARY), (JobDetail, DETAIL), (ProgressResponse, PROGRESS),
    (QueueState, QUEUE), (LogEntry, LOG_LINE), (JobLog, LOG)]
CASES = [pytest.param(model, full, name, how, id=f"{model.__name__}.{name}-{how}")
         for model, full in ANSWERS for name in full if name not in ("job_id", "status")
         for how in ("null", "missing")]


def test_the_table_covers_every_optional_field() -> None:
    for model, full in ANSWERS:
        optional = {name for name, field in model.model_fields.items() if not field.is_required()}
        assert optional == set(full) - {"job_id", "status"}, model.__name__
        assert optional <= set(NOT_GIVEN)


@pytest.mark.parametrize(("model", "full", "name", "how"), CASES)
def test_a_null_or_missing_optional_field_reads_as_not_given(
        model: type[BaseModel], full: dict[str, Any], name: str, how: str) -> None:
    sent = {**full, name: None} if how == "null" else {k: v for k, v in full.items() if k != name}
    read = model.model_validate_json(json.dumps(sent))
    assert getattr(read, name) == NOT_GIVEN[name]
    every_other = model.model_validate_json(json.dumps(full)).model_dump(exclude={name})
    assert read.model_dump(exclude={name}) == every_other


@pytest.mark.parametrize(("name", "odd"), [
    ("progress", "lots"), ("duration", "long"), ("created_at", [1]), ("prompt", {"text": "x"}),
    ("estimated_time_remaining", "soon"), ("stages_completed", "all"), ("assets", "none"),
    ("script", "one scene"), ("queue_position", 0), ("queue_position", "second"),
    ("attempt", 0), ("attempt", "again"),
])
def test_an_odd_value_in_an_optional_field_reads_as_not_given(name: str, odd: object) -> None:
    read = JobDetail.model_validate_json(json.dumps({**DETAIL, name: odd}))
    assert getattr(read, name) == NOT_GIVEN[name]
    every_other = JobDetail.model_validate_json(json.dumps(DETAIL)).model_dump(exclude={name})
    assert read.model_dump(exclude={name}) == every_other


def test_a_listing_leaves_out_only_the_rows_it_cannot_read() -> None:
    rows = [SUMMARY | {"job_id": "a", "style": None},
            {"job_id": "b"},  # no status: nothing to show it by
            "not a job",
            None,
            SUMMARY | {"job_id": "c", "progress": "lots", "duration": None},
            SUMMARY | {"job_id": 7}]
    listing = JobList.model_validate_json(json.dumps({"jobs": rows, "total": 6}))
    assert [job.job_id for job in listing.jobs] == ["a", "c"]
    assert (listing.jobs[0].style, listing.jobs[1].progress) == ("", 0)
    assert listing.total == 6


def test_a_listing_without_a_total_still_lists() -> None:
    listing = JobList.model_validate_json(json.dumps({"jobs": [SUMMARY], "total": None}))
    assert ([job.job_id for job in listing.jobs], listing.total) == (["job-1"], None)


def test_stage_and_asset_lists_leave_out_only_the_items_they_cannot_read() -> None:
    stages = [STAGE, {"name": "scene_2", "display_name": None}, None, "scene_3",
              {"display_name": "No name"}, STAGE | {"name": "audio"}]
    thumbnails = [{"url": None}, {"url": "/t2.jpg", "scene_number": "two"}, 5]
    sent = {**DETAIL, "stages_completed": stages, "assets": ASSETS | {"thumbnails": thumbnails},
            "script": ["A fox wakes", 3, None, "It runs"]}
    read = JobDetail.model_validate_json(json.dumps(sent))
    assert [(stage.name, stage.display_name) for stage in read.stages_completed] == [
        ("scene_1", "Scene 1 ready"), ("scene_2", ""), ("audio", "Scene 1 ready")]
    assert read.assets is not None
    assert [(t.url, t.scene_number) for t in read.assets.thumbnails] == [("/t2.jpg", None)]
    assert read.assets.final_video is not None
    assert read.script == ["A fox wakes", "It runs"]


@pytest.mark.parametrize("sent", [
    {k: v for k, v in PROGRESS.items() if k != "status"}, {**PROGRESS, "job_id": None},
    [PROGRESS], "update",
])
def test_an_answer_without_what_it_cannot_do_without_is_unreadable(sent: object) -> None:
    with pytest.raises(ValidationError):
        ProgressResponse.model_validate_json(json.dumps(sent))


def test_each_kind_of_problem_is_logged_once(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_logged", set())  # as in a process that just started
    sent = json.dumps({"jobs": [SUMMARY, {"job_id": "no-status-here"}], "total": 2})
    with caplog.at_level(logging.WARNING, logger=reading.__name__):
        for _ in range(3):  # a poller reads the same listing again and again
            JobList.model_validate_json(sent)
    said = [record.getMessage() for record in caplog.records]
    assert said == ["Left out an item of JobList.jobs that the backend sent unreadable: "
                    "Field required"]


@pytest.mark.parametrize("field", [{"aspect_ratio": "4:3"}, {"duration": 20},
                                   {"style": "x" * 65}, {"prompt": None}])
def test_what_a_client_sends_is_still_checked_strictly(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GenerateRequest.model_validate({"prompt": "A fox", "duration": 15, **field})


def test_a_client_may_send_null_for_a_style() -> None:
    request = GenerateRequest.model_validate({"prompt": "A fox", "duration": 15, "style": None})
    assert (request.style, request.aspect_ratio) == ("", "16:9")
