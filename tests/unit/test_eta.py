"""Time remaining follows the machine's measured speed and replays how the work will be shared."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.backend.eta import COMPOSE, MUSIC, Throughput, WorkLeft, forecast, scene_task
from services.backend.store import SqliteJobStore

NOW = 1_000.0


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteJobStore]:
    """An open store with no rates measured yet."""
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def throughput(store: SqliteJobStore) -> Throughput:
    """Rates as measured: a 144-frame 720p scene takes 2 s, music 0.6 s and compose 0.3 s."""
    rates = Throughput(store)
    await rates.record_scene(1280, 720, frames=144, seconds=2.0)
    await rates.record_step("audio", video_seconds=60, seconds=0.6)
    await rates.record_step("compose", video_seconds=60, seconds=0.3)
    return rates


def job(scenes_left: int = 10, *, running: bool = True, music: bool = True) -> WorkLeft:
    """A 60 s 720p job with ``scenes_left`` 144-frame scenes to go."""
    return WorkLeft(width=1280, height=720, video_seconds=60, frames_per_scene=144,
                    scenes_left=scenes_left, running=running, audio_done=not music)


def eta(*jobs: WorkLeft, rates: Throughput, workers: int = 2, slots: int = 1) -> list[float]:
    """The forecast, rounded to what the wire carries."""
    return [round(end, 1) for end in forecast(jobs, rates, workers=workers, slots=slots, now=NOW)]


async def test_measured_rates_are_taken_up_at_the_next_start(store: SqliteJobStore) -> None:
    await Throughput(store).record_scene(1280, 720, frames=144, seconds=2.0)
    await Throughput(store).record_step("audio", video_seconds=60, seconds=0.6)

    reopened = Throughput(store)  # as the next process would, on the same store
    assert reopened.frames_per_second(1280, 720) == pytest.approx(95)  # the default, until loaded
    await reopened.load()

    assert reopened.frames_per_second(1280, 720) == pytest.approx(72)
    assert reopened.seconds_per_video_second("audio") == pytest.approx(0.01)


def test_scenes_share_the_workers_then_music_then_composition(throughput: Throughput) -> None:
    # 10 scenes of 2 s on 2 workers: 10 s; the music takes the first worker free: 10.6 s;
    # then the composition: 10.9 s.
    assert eta(job(10), rates=throughput) == [10.9]
    # 3 scenes cannot fill 2 workers evenly: the third runs while the music does: 4 + 0.3.
    assert eta(job(3), rates=throughput) == [4.3]
    assert eta(job(3), rates=throughput, workers=1) == [6.9]


def test_music_in_a_lane_of_its_own_ends_beside_the_last_scenes(throughput: Throughput) -> None:
    # 10 scenes of 2 s on 2 workers: 10 s; the music (0.6 s) on its own worker from when the
    # last scene is taken (8 s); then the composition: 10.3 s (10.9 s behind the scenes).
    assert [round(end, 1) for end in forecast(
        [job(10)], throughput, workers=2, slots=1, now=NOW, music_lane=True)] == [10.3]
    # One scene worker: 20 s of scenes, music beside them, 20.3 s in all.
    one_worker = forecast([job(10)], throughput, workers=1, slots=1, now=NOW, music_lane=True)
    assert round(one_worker[0], 1) == 20.3
    # A second job takes the slot at 4.3 s, its last scene a worker at 6.3 s: 8.3 + 0.3.
    both = forecast([job(3), job(3, running=False)], throughput, workers=2, slots=1, now=NOW,
                    music_lane=True)
    assert [round(end, 1) for end in both] == [4.3, 8.6]


def test_a_task_in_a_worker_counts_what_it_has_left(throughput: Throughput) -> None:
    rendering = job(2, music=False)
    rendering.in_worker = {scene_task(9): NOW - 1.5, scene_task(10): NOW - 0.5}
    assert eta(rendering, rates=throughput) == [1.5 + 0.3]

    overdue = job(1, music=False)
    overdue.in_worker = {scene_task(10): NOW - 9}  # slower than measured: almost done
    assert eta(overdue, rates=throughput) == [0.1 + 0.3]

    composing = job(0, music=False)
    composing.in_worker = {COMPOSE: NOW - 0.1}
    assert eta(composing, rates=throughput) == [0.2]

    done = job(0, music=False)
    done.compose_done = True
    assert eta(done, rates=throughput) == [0]


def test_music_already_in_a_worker_is_not_queued_again(throughput: Throughput) -> None:
    tail = job(1)
    tail.in_worker = {scene_task(3): NOW - 1, MUSIC: NOW - 0.2}
    assert eta(tail, rates=throughput) == [1 + 0.3]


def test_a_queued_job_starts_when_a_slot_frees_up(throughput: Throughput) -> None:
    first, second = job(3), job(3, running=False)
    assert eta(first, second, rates=throughput) == [4.3, 4.3 + 4.3]
    # Two slots: both run at once and share the two workers, the older job's tasks first.
    assert eta(first, second, rates=throughput, slots=2) == [4.3, 6.9]
    assert eta(first, job(3), rates=throughput) == [4.3, 6.9]  # a second running job alike


def test_a_bigger_frame_is_estimated_slower_until_measured(store: SqliteJobStore) -> None:
    rates = Throughput(store)
    assert rates.frames_per_second(720, 1280) == rates.frames_per_second(1280, 720)
    assert rates.frames_per_second(1920, 1080) < rates.frames_per_second(1280, 720)


async def test_a_scene_length_once_measured_goes_by_its_own_time(store: SqliteJobStore) -> None:
    # A scene's fixed costs weigh more in a short one: 120 frames in 0.15 s, 144 in 0.165 s.
    rates = Throughput(store)
    await rates.record_scene(320, 180, frames=120, seconds=0.15)  # a 5 s draft scene: 800 fps
    assert rates.scene_seconds(320, 180, 144) == pytest.approx(144 / 800)  # until measured
    await rates.record_scene(320, 180, frames=144, seconds=0.165)
    assert rates.scene_seconds(320, 180, 144) == pytest.approx(0.165)
    assert rates.scene_seconds(320, 180, 120) == pytest.approx(0.15)


async def test_a_video_length_once_measured_goes_by_its_own_music_time(
        store: SqliteJobStore) -> None:
    rates = Throughput(store)
    await rates.record_step("audio", video_seconds=15, seconds=0.33)
    assert rates.step_seconds("audio", 60) == pytest.approx(0.33 * 4)  # until measured
    await rates.record_step("audio", video_seconds=60, seconds=1.07)
    assert rates.step_seconds("audio", 60) == pytest.approx(1.07)
    assert rates.step_seconds("audio", 15) == pytest.approx(0.33)


async def test_a_size_not_yet_measured_goes_by_the_pixel_rate_of_those_measured(
        store: SqliteJobStore) -> None:
    rates = Throughput(store)
    await rates.record_scene(1280, 720, frames=144, seconds=1.0)  # 144 fps; the default says 95
    assert rates.frames_per_second(720, 720) == pytest.approx(144 * 1280 / 720)
    assert rates.frames_per_second(720, 1280) == pytest.approx(144)
    await rates.record_scene(720, 720, frames=144, seconds=2.0)  # once measured, its own rate holds
    assert rates.frames_per_second(720, 720) == pytest.approx(72)
    assert rates.frames_per_second(1280, 720) == pytest.approx(144)
