"""Time-remaining estimates from the machine's own measured speed.

The backend times every task a render worker runs, from the moment a worker takes it (so time
spent waiting for a free worker never counts as slowness): for scenes, seconds per scene of
each length and frames per second, per resolution; for the music and the final composition,
seconds per video of each length and seconds of work per second of video. A length measured
goes by its own time (fixed costs weigh more in a short piece), another by the rate. The rates
live in the store across restarts.

An estimate replays what the queue and the worker pool will do with the work that is left:
jobs take the queue's slots in queue order, each job's tasks go to the pool's FIFO queue,
and each task takes the first worker to come free (on one machine the music has a worker of
its own: ``pool.lanes``). That keeps the estimate right where an average would not be: the
last scenes of a job that cannot fill every worker, a job sharing the workers with another,
a job waiting in the queue.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.backend.store import JobStore

_REFERENCE_PIXELS = 1280 * 720
_DEFAULT_FPS_AT_720P = 95.0  # one worker of two on the 2-core reference machine (93-108 measured)
# the same machine: music 0.017-0.019, composition 0.0012-0.0013 (a remux) measured
_DEFAULT_SECONDS_PER_VIDEO_SECOND = {"audio": 0.02, "compose": 0.0015}
_PIXELS_PER_SECOND = "pixels per second"  # at any size: what a size not yet measured goes by
_SMOOTHING = 0.3  # weight of the newest measurement
_OVERRUN_FLOOR = 0.05  # a task past its estimate is taken to have this share of it left

MUSIC = "music"  # the names of a job's tasks in ``WorkLeft.in_worker``
COMPOSE = "compose"
_SCENE = "scene "


def scene_task(number: int) -> str:
    """The name a scene's render goes by in ``WorkLeft.in_worker``."""
    return f"{_SCENE}{number}"


def scene_of(task: str) -> int | None:
    """The scene a task renders, or None for the music and the composition."""
    return int(task.removeprefix(_SCENE)) if task.startswith(_SCENE) else None


class Throughput:
    """Measured work rates, smoothed and persisted.

    Every forecast reads a rate per task, on the event loop and without awaiting, so the rates
    live in memory: read from the store once at start-up (``load``), written back each time a
    measurement changes one.
    """

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self._rates: dict[str, float] = {}

    async def load(self) -> None:
        """Take up the rates measured before (by this process or an earlier one)."""
        self._rates = await self._store.throughputs()

    def _rate(self, key: str) -> float | None:
        return self._rates.get(key)

    async def _blend(self, key: str, measured: float) -> None:
        previous = self._rate(key)
        if previous is not None:
            measured = _SMOOTHING * measured + (1 - _SMOOTHING) * previous
        self._rates[key] = measured
        await self._store.set_throughput(key, measured)

    def has_measured(self, width: int, height: int) -> bool:
        """Whether scenes of this size have been rendered here (or measured at start-up)."""
        return self._rate(f"fps:{width}x{height}") is not None

    def frames_per_second(self, width: int, height: int) -> float:
        """Frames one worker renders per second at this size.

        Until this size is measured, the pixels per second measured at any size say more about
        this machine than a default does; the default is for a machine that has rendered none.
        """
        measured = self._rate(f"fps:{width}x{height}")
        if measured is not None:
            return measured
        pixels_per_second = self._rate(_PIXELS_PER_SECOND)
        if pixels_per_second is None:
            pixels_per_second = _DEFAULT_FPS_AT_720P * _REFERENCE_PIXELS
        return pixels_per_second / (width * height)

    def scene_seconds(self, width: int, height: int, frames: int) -> float:
        """Seconds one worker takes for a scene of ``frames`` frames at this size.

        Scenes of that very length, once measured, say it best: a scene's fixed costs (its
        set-up, the encoder's) weigh more in a short one, so a rate learnt from 5 s scenes
        made 6 s ones 6-8 % longer than they are at draft size. Until then, the size's rate.
        """
        measured = self._rate(f"scene seconds:{width}x{height}x{frames}")
        return frames / self.frames_per_second(width, height) if measured is None else measured

    async def record_scene(self, width: int, height: int, frames: int, seconds: float) -> None:
        """Learn from one scene a worker rendered in ``seconds``."""
        if seconds > 0:
            await self._blend(f"scene seconds:{width}x{height}x{frames}", seconds)
            await self._blend(f"fps:{width}x{height}", frames / seconds)
            await self._blend(_PIXELS_PER_SECOND, frames * width * height / seconds)

    def seconds_per_video_second(self, step: str) -> float:
        """Worker seconds the ``step`` ("audio" or "compose") takes per second of video."""
        measured = self._rate(f"spv:{step}")
        return _DEFAULT_SECONDS_PER_VIDEO_SECOND[step] if measured is None else measured

    def step_seconds(self, step: str, video_seconds: float) -> float:
        """Seconds one worker takes for the ``step`` of a video this long: its own time once
        a video of that length has been measured (a step's fixed costs weigh more in a short
        one: 15 s of music took 10 % more per second than 60 s), else the step's rate."""
        measured = self._rate(f"{step} seconds:{video_seconds:g}")
        if measured is None:
            return self.seconds_per_video_second(step) * video_seconds
        return measured

    async def record_step(self, step: str, video_seconds: float, seconds: float) -> None:
        """Learn from one music or composition step a worker ran in ``seconds``."""
        if video_seconds > 0:
            await self._blend(f"{step} seconds:{video_seconds:g}", seconds)
            await self._blend(f"spv:{step}", seconds / video_seconds)


@dataclass
class WorkLeft:
    """What a job still has to do, as its driver tracks it."""

    width: int
    height: int
    video_seconds: float
    frames_per_scene: int
    scenes_left: int  # scenes not rendered yet, those in a worker now included
    running: bool = False  # holds one of the queue's slots (a queued job does not)
    in_worker: dict[str, float] = field(default_factory=dict)  # task name → when a worker took it
    audio_done: bool = False
    compose_done: bool = False

    @property
    def scenes_waiting(self) -> int:
        """Scenes no worker has taken yet."""
        return self.scenes_left - sum(scene_of(task) is not None for task in self.in_worker)

    def finished(self, task: str) -> None:
        """One of the job's tasks is done."""
        if scene_of(task) is not None:
            self.scenes_left -= 1
        elif task == MUSIC:
            self.audio_done = True
        else:
            self.compose_done = True


def forecast(jobs: Sequence[WorkLeft], throughput: Throughput, *, workers: int, slots: int,
             now: float, music_lane: bool = False) -> list[float]:
    """Seconds from ``now`` until each job is done.

    ``jobs`` in the order the queue took or will take them: the running ones first (oldest
    first, as their tasks sit in the pool's queue), then the queued ones. ``slots`` jobs run
    at once; ``workers`` tasks render at once. A job's music starts once its last scene has
    a worker: behind its scenes in the pool's queue, or, with ``music_lane``, on a worker of
    its own (``pool.lanes``).
    """
    pool = _Pool(workers)
    music = _Pool(1) if music_lane else pool

    def lane(task: str) -> _Pool:
        return music if task == MUSIC else pool

    rendering_until = [
        max((lane(task).take(_seconds_to_go(job, task, now - started, throughput),
                             not_before=0.0)[1]
             for task, started in job.in_worker.items()), default=0.0)
        for job in jobs
    ]
    ends: list[float] = []
    slot_free_at: list[float] = []
    for job, busy_until in zip(jobs, rendering_until, strict=True):
        if job.running:
            begins = 0.0
        else:
            while len(slot_free_at) < slots:  # slots nobody holds are free now
                heapq.heappush(slot_free_at, 0.0)
            begins = heapq.heappop(slot_free_at)
        last_taken, job_ends = begins, [begins, busy_until]
        scene = _task_seconds(job, scene_task(1), throughput)
        for _ in range(job.scenes_waiting):
            last_taken, scene_end = pool.take(scene, not_before=begins)
            job_ends.append(scene_end)
        if not job.audio_done and MUSIC not in job.in_worker:
            job_ends.append(music.take(_task_seconds(job, MUSIC, throughput),
                                       not_before=last_taken)[1])
        end = max(job_ends)
        if not job.compose_done and COMPOSE not in job.in_worker:
            end += _task_seconds(job, COMPOSE, throughput)
        ends.append(end)
        heapq.heappush(slot_free_at, end)
    return ends


def _task_seconds(job: WorkLeft, task: str, throughput: Throughput) -> float:
    """How long a worker takes for one of the job's tasks."""
    if task == MUSIC:
        return throughput.step_seconds("audio", job.video_seconds)
    if task == COMPOSE:
        return throughput.step_seconds("compose", job.video_seconds)
    return throughput.scene_seconds(job.width, job.height, job.frames_per_scene)


def _seconds_to_go(job: WorkLeft, task: str, elapsed: float, throughput: Throughput) -> float:
    """What a task in a worker for ``elapsed`` seconds still needs; a bit, if past its time."""
    seconds = _task_seconds(job, task, throughput)
    return max(seconds - elapsed, _OVERRUN_FLOOR * seconds)


class _Pool:
    """When each worker comes free, as the forecast hands out tasks first come, first served."""

    def __init__(self, workers: int) -> None:
        self._free_at = [0.0] * max(1, workers)

    def take(self, seconds: float, *, not_before: float) -> tuple[float, float]:
        """Give a task to the first worker free (no sooner than ``not_before``); when it
        starts and ends."""
        start = max(self._free_at[0], not_before)
        heapq.heapreplace(self._free_at, start + seconds)
        return start, start + seconds
