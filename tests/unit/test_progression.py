"""The stage rule: whatever order a job's pieces finish in, its stages come in contract order,
each once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.backend.progression import due_stages
from services.backend.store import JobRecord
from services.contract import JobStatus, stages


def _started(scene_count: int) -> JobRecord:
    return JobRecord(job_id="j", status=JobStatus.PROCESSING, prompt="p", duration=15,
                     aspect_ratio="16:9", style="", scene_count=scene_count,
                     current_stage=stages.PENDING, progress=0, created_at=0, updated_at=0)


def _publish_due(record: JobRecord, published: list[str]) -> None:
    for stage in due_stages(record):
        record.current_stage = stage
        published.append(stage)


@given(st.sampled_from([3, 5, 10]).flatmap(
    lambda count: st.permutations([*(str(n) for n in range(1, count + 1)), "audio"])))
def test_pieces_finishing_in_any_order_give_every_stage_once_in_order(order: list[str]) -> None:
    record = _started(len(order) - 1)
    published: list[str] = []
    _publish_due(record, published)
    record.script = ["a scene"] * record.scene_count
    _publish_due(record, published)
    for piece in order:
        if piece == "audio":
            record.assets["audio"] = {"file": "music.m4a"}
        else:
            record.assets.setdefault("scenes", {})[piece] = {"clip": f"scene_{piece}.mp4"}
        _publish_due(record, published)
        _publish_due(record, published)  # a second look finds nothing new
    record.assets["final"] = {"file": "video.mp4"}
    _publish_due(record, published)
    assert published == stages.stage_sequence(record.scene_count)


def test_a_scene_finished_out_of_order_waits_for_the_ones_before_it() -> None:
    record = _started(3)
    record.script = ["a", "b", "c"]
    record.current_stage = stages.scene_generating(1)
    record.assets["scenes"] = {"2": {}, "3": {}}
    assert due_stages(record) == []
    record.assets["scenes"]["1"] = {}
    assert due_stages(record) == [
        "scene_1_complete", "scene_2_generating", "scene_2_complete", "scene_3_generating",
        "scene_3_complete", "audio_generating"]
