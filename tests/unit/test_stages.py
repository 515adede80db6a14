"""The stage table: names, display texts and progress exactly as the contract's table."""

import pytest

from services.contract import stages


@pytest.mark.parametrize("scene_count", [3, 5, 10])
def test_progress_follows_the_contract_table_and_never_decreases(scene_count: int) -> None:
    sequence = stages.stage_sequence(scene_count)
    figures = [stages.stage_progress(stage, scene_count) for stage in sequence]
    assert figures == sorted(figures)
    assert figures[:2] == [0, 15]
    assert figures[-4:] == [90, 95, 98, 100]
    for k in range(1, scene_count + 1):
        assert stages.stage_progress(f"scene_{k}_generating", scene_count) == pytest.approx(
            15 + 75 * (k - 1) / scene_count, abs=0.01)
        assert stages.stage_progress(f"scene_{k}_complete", scene_count) == pytest.approx(
            15 + 75 * k / scene_count, abs=0.01)
    assert len(sequence) == 2 * scene_count + 6


def test_display_texts_are_the_contracts() -> None:
    assert stages.stage_display("pending") == "Waiting in queue"
    assert stages.stage_display("script_generating") == "Generating script with AI"
    assert stages.stage_display("scene_2_generating") == "Generating scene 2"
    assert stages.stage_display("scene_2_complete") == "Scene 2 ready"
    assert stages.stage_display("audio_generating") == "Generating background music"
    assert stages.stage_display("composing") == "Composing final video"
    assert stages.stage_display("complete") == "Complete"


def _names(infos: list) -> list[str]:
    return [info.display_name for info in infos]


def test_stage_lists_mid_scene_leave_the_current_stage_out() -> None:
    completed, pending = stages.stage_lists("scene_3_generating", 5, {"script": 1.0})
    assert _names(completed) == ["Script ready", "Scene 1 ready", "Scene 2 ready"]
    assert completed[0].completed_at == 1.0
    assert _names(pending) == ["Scene 4", "Scene 5", "Background music", "Final composition"]


def test_stage_lists_between_stages_and_at_the_ends() -> None:
    completed, pending = stages.stage_lists("script_complete", 3, {})
    assert _names(completed) == ["Script ready"]
    assert _names(pending)[0] == "Scene 1"
    completed, pending = stages.stage_lists("pending", 3, {})
    assert completed == []
    assert len(pending) == 3 + 3
    completed, pending = stages.stage_lists("complete", 3, {})
    assert _names(completed)[-2:] == ["Audio ready", "Video composed"]
    assert pending == []
    completed, pending = stages.stage_lists("composing", 3, {})
    assert len(completed) == 3 + 2
    assert pending == []
