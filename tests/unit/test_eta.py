"""Time remaining follows the machine's measured speed and the work a job has left."""

from pathlib import Path

import pytest

from services.backend.eta import Throughput, WorkLeft, seconds_left
from services.backend.store import JobStore


@pytest.fixture
def throughput(tmp_path: Path) -> Throughput:
    return Throughput(JobStore(tmp_path / "jobs.sqlite3"))


def _work(scenes_left: int = 10) -> WorkLeft:
    return WorkLeft(width=1280, height=720, video_seconds=60, frames_per_scene=144,
                    scenes_left=scenes_left)


def test_measured_speed_drives_the_estimate_and_survives_reopening(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    Throughput(store).record_scene(1280, 720, frames=144, seconds=2.0)  # 72 fps per worker
    Throughput(store).record_step("audio", video_seconds=60, seconds=0.6)
    Throughput(store).record_step("compose", video_seconds=60, seconds=0.3)
    store.close()
    reopened = Throughput(JobStore(tmp_path / "jobs.sqlite3"))
    assert reopened.frames_per_second(1280, 720) == pytest.approx(72)
    # 10 scenes of 144 frames at 72 fps = 20 worker-seconds, plus 0.6 of music, shared by
    # 2 workers; then 0.3 of composition.
    assert seconds_left(_work(), reopened, workers=2) == pytest.approx((20 + 0.6) / 2 + 0.3,
                                                                       abs=0.1)


def test_less_work_means_less_time(throughput: Throughput) -> None:
    full = seconds_left(_work(10), throughput, workers=2)
    half = seconds_left(_work(5), throughput, workers=2)
    assert half < full
    rendering = _work(5)
    rendering.scene_started_at = {6: 0.0}
    assert seconds_left(rendering, throughput, workers=2, now=1.0) < half
    finished = _work(0)
    finished.audio_done = finished.compose_done = True
    assert seconds_left(finished, throughput, workers=2) == 0


def test_a_bigger_frame_is_estimated_slower_until_measured(throughput: Throughput) -> None:
    assert throughput.frames_per_second(720, 1280) == throughput.frames_per_second(1280, 720)
    assert throughput.frames_per_second(1920, 1080) < throughput.frames_per_second(1280, 720)
