"""Time-remaining estimates from the machine's own measured speed.

The backend times every scene it renders (frames per second per worker, per resolution) and
every music and composition step (seconds of work per second of video), keeps the rates in
the store across restarts, and estimates a job's remaining time from the work it has left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from services.backend.store import JobStore

_REFERENCE_PIXELS = 1280 * 720
_DEFAULT_FPS_AT_720P = 60.0
_DEFAULT_SECONDS_PER_VIDEO_SECOND = {"audio": 0.03, "compose": 0.01}
_SMOOTHING = 0.5  # weight of the newest measurement


class Throughput:
    """Measured work rates, smoothed and persisted."""

    def __init__(self, store: JobStore) -> None:
        self._store = store

    def _blend(self, key: str, measured: float) -> None:
        previous = self._store.throughput(key)
        if previous is not None:
            measured = _SMOOTHING * measured + (1 - _SMOOTHING) * previous
        self._store.set_throughput(key, measured)

    def frames_per_second(self, width: int, height: int) -> float:
        """Frames one worker renders per second at this size (a default until measured)."""
        measured = self._store.throughput(f"fps:{width}x{height}")
        if measured is not None:
            return measured
        return _DEFAULT_FPS_AT_720P * _REFERENCE_PIXELS / (width * height)

    def record_scene(self, width: int, height: int, frames: int, seconds: float) -> None:
        """Learn from one rendered scene."""
        if seconds > 0:
            self._blend(f"fps:{width}x{height}", frames / seconds)

    def seconds_per_video_second(self, step: str) -> float:
        """Wall seconds the ``step`` ("audio" or "compose") takes per second of video."""
        measured = self._store.throughput(f"spv:{step}")
        return _DEFAULT_SECONDS_PER_VIDEO_SECOND[step] if measured is None else measured

    def record_step(self, step: str, video_seconds: float, seconds: float) -> None:
        """Learn from one music or composition step."""
        if video_seconds > 0:
            self._blend(f"spv:{step}", seconds / video_seconds)


@dataclass
class WorkLeft:
    """What a job still has to do, as the runner tracks it."""

    width: int
    height: int
    video_seconds: float
    frames_per_scene: int
    scenes_left: int
    scene_started_at: dict[int, float] = field(default_factory=dict)  # scenes rendering now
    audio_done: bool = False
    compose_done: bool = False


def seconds_left(work: WorkLeft, throughput: Throughput, workers: int,
                 *, now: float | None = None) -> float:
    """Estimated wall seconds until ``work`` is done, with ``workers`` rendering in parallel."""
    now = time.time() if now is None else now
    fps = throughput.frames_per_second(work.width, work.height)
    frames_left = float(work.scenes_left * work.frames_per_scene)
    for started in work.scene_started_at.values():
        frames_left -= min(work.frames_per_scene * 0.95, (now - started) * fps)
    worker_seconds = max(0.0, frames_left) / fps
    tasks_left = work.scenes_left
    if not work.audio_done:  # the music renders in the pool beside the last scenes
        worker_seconds += throughput.seconds_per_video_second("audio") * work.video_seconds
        tasks_left += 1
    seconds = worker_seconds / max(1, min(workers, tasks_left))
    if not work.compose_done:
        seconds += throughput.seconds_per_video_second("compose") * work.video_seconds
    return round(seconds, 1)
