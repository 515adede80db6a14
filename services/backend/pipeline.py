"""The job runner: a FIFO queue, a concurrency limit, and each job driven through its stages.

Rendering happens in the worker pool; this module only decides what runs next, records each
stage in the store, and publishes it to the job's progress streams. Scenes render in parallel
(one per worker) but are reported in order, so progress follows the contract's table exactly
and never goes back.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from services.backend.eta import COMPOSE, MUSIC, Throughput, WorkLeft, forecast, scene_task
from services.backend.feed import JobFeed
from services.backend.render import (
    RenderCancelled,
    VideoFormat,
    compose_video,
    render_scene,
    synthesize_music,
    video_format,
)
from services.backend.script import Scene, scene_count, write_script
from services.backend.signing import AssetSigner
from services.backend.store import JobRecord, JobStore
from services.backend.views import progress_of
from services.backend.workers import RenderPool, WorkerTaskFailed
from services.contract import CANCELLED_ERROR, GenerateRequest, JobStatus, ProgressResponse, stages

log = logging.getLogger(__name__)

FEED_HISTORY_SECONDS = 60.0

T = TypeVar("T")


class JobNotFound(LookupError):
    """No job has this id."""


class JobAlreadyEnded(Exception):
    """The job has completed or failed; it cannot be cancelled."""


class JobRunner:
    """Queues jobs, runs up to ``max_concurrent`` at once, and cancels them on request."""

    def __init__(self, *, store: JobStore, feed: JobFeed, pool: RenderPool, signer: AssetSigner,
                 media_dir: Path, max_concurrent: int) -> None:
        self._store = store
        self._feed = feed
        self._pool = pool
        self._signer = signer
        self._media_dir = media_dir
        self._max_concurrent = max_concurrent
        self._throughput = Throughput(store)
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: list[str] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._work: dict[str, WorkLeft] = {}
        self._consumers: list[asyncio.Task[None]] = []
        self._stopping = False

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Mark jobs a previous process left half-done, requeue waiting ones, start consuming."""
        for job_id in self._store.fail_interrupted():
            log.warning("job %s was interrupted by a restart", job_id)
        for record in self._store.with_status(JobStatus.PENDING):
            self._enqueue(record.job_id)
        self._consumers = [asyncio.create_task(self._consume(), name=f"job-consumer-{n}")
                           for n in range(self._max_concurrent)]

    async def stop(self) -> None:
        """Stop consuming; running jobs stay ``processing`` in the store, so the next start
        marks them interrupted."""
        self._stopping = True
        for task in [*self._consumers, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*self._consumers, *self._running.values(), return_exceptions=True)

    # ---- requests --------------------------------------------------------------------------

    async def submit(self, request: GenerateRequest) -> JobRecord:
        """Store a new job and queue it."""
        now = time.time()
        record = JobRecord(
            job_id=uuid.uuid4().hex[:16], status=JobStatus.PENDING, prompt=request.prompt,
            duration=request.duration, aspect_ratio=request.aspect_ratio, style=request.style,
            scene_count=scene_count(request.duration), current_stage=stages.PENDING,
            progress=0, created_at=now, updated_at=now,
        )
        self._store.insert(record)
        self._enqueue(record.job_id)
        await self._publish(record)
        return record

    async def cancel(self, job_id: str) -> JobRecord:
        """End a queued or running job as failed with "Cancelled by user"."""
        record = self._store.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        if record.ended:
            raise JobAlreadyEnded(job_id)
        task = self._running.get(job_id)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        else:
            await self._fail(record, CANCELLED_ERROR)
        refreshed = self._store.get(job_id)
        assert refreshed is not None
        return refreshed

    def state(self, record: JobRecord) -> ProgressResponse:
        """The job's current progress state, with a fresh ETA and freshly signed URLs."""
        return progress_of(record, self._signer, self.eta(record))

    def eta(self, record: JobRecord) -> float:
        """Seconds until the job is done: 0 once ended.

        Every running job and every job queued ahead of this one is forecast with it, since
        they share the render workers (see ``eta.forecast``).
        """
        if record.ended:
            return 0
        jobs = list(self._work.values())
        if record.job_id not in self._work:
            jobs += [self._plan(other) for other in self._queued_before(record.job_id)]
            jobs.append(self._plan(record))
        ends = forecast(jobs, self._throughput, workers=self._pool.size,
                        slots=self._max_concurrent, now=time.time())
        own = list(self._work).index(record.job_id) if record.job_id in self._work else -1
        return round(ends[own], 1)

    # ---- the queue -------------------------------------------------------------------------

    def _enqueue(self, job_id: str) -> None:
        self._queued.append(job_id)
        self._queue.put_nowait(job_id)

    def _queued_before(self, job_id: str) -> list[JobRecord]:
        """The jobs still waiting that the runner will take before this one."""
        ahead = self._queued[: self._queued.index(job_id)] if job_id in self._queued else []
        records = (self._store.get(other_id) for other_id in ahead)
        return [record for record in records if record is not None and not record.ended]

    async def _consume(self) -> None:
        while True:
            job_id = await self._queue.get()
            self._queued.remove(job_id)
            record = self._store.get(job_id)
            if record is None or record.ended:  # cancelled while it waited
                continue
            task = asyncio.create_task(self._run(record), name=f"job-{job_id}")
            self._running[job_id] = task
            try:
                await asyncio.wait([task])
            finally:
                self._running.pop(job_id, None)
                self._work.pop(job_id, None)

    # ---- one job ---------------------------------------------------------------------------

    def _plan(self, record: JobRecord) -> WorkLeft:
        fmt = video_format(record.aspect_ratio)
        return WorkLeft(width=fmt.width, height=fmt.height, video_seconds=record.duration,
                        frames_per_scene=round(record.duration / record.scene_count * fmt.fps),
                        scenes_left=record.scene_count)

    async def _run(self, record: JobRecord) -> None:
        """Drive one job from script to final video; cancellation ends it as cancelled."""
        work = self._work[record.job_id] = self._plan(record)
        work.running = True
        try:
            record.status = JobStatus.PROCESSING
            record.started_at = time.time()
            await self._advance(record, stages.SCRIPT_GENERATING)
            scenes = write_script(record.prompt, record.style, record.duration)
            record.script = [scene.description for scene in scenes]
            await self._advance(record, stages.SCRIPT_COMPLETE)
            await self._render_scenes_and_music(record, scenes, work)
            await self._compose(record, work)
            record.status = JobStatus.COMPLETED
            await self._advance(record, stages.COMPLETE)
        except asyncio.CancelledError:
            if not self._stopping:
                await self._fail(record, CANCELLED_ERROR)
            raise
        except (WorkerTaskFailed, RenderCancelled, OSError) as error:
            log.exception("job %s failed", record.job_id)
            await self._fail(record, f"Rendering failed: {error}")

    def _job_dir(self, job_id: str) -> Path:
        path = self._media_dir / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def _render_scenes_and_music(self, record: JobRecord, scenes: list[Scene],
                                       work: WorkLeft) -> None:
        """Render every scene in parallel and report them complete in order, then the music.

        The music is queued in the pool right behind the scenes, so it fills the worker that
        would otherwise idle while the last scene renders.
        """
        fmt = video_format(record.aspect_ratio)
        job_dir = self._job_dir(record.job_id)
        scene_tasks = {asyncio.create_task(self._render_one(record, scene, fmt, job_dir, work)):
                       scene.number for scene in scenes}
        music = asyncio.create_task(self._make_music(record, job_dir, work))
        try:
            await self._report_scenes(record, scene_tasks)
            await self._advance(record, stages.AUDIO_GENERATING)
            record.assets["audio"] = await music
            await self._advance(record, stages.AUDIO_COMPLETE)
        finally:
            unfinished = [task for task in [*scene_tasks, music] if not task.done()]
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    async def _report_scenes(self, record: JobRecord,
                             scene_tasks: dict[asyncio.Task[dict[str, object]], int]) -> None:
        """Advance through the scene stages in scene order as the renders finish."""
        waiting = dict(scene_tasks)
        finished: set[int] = set()
        reported = 0
        await self._advance(record, stages.scene_generating(1))
        while waiting:
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                number = waiting.pop(task)
                record.assets.setdefault("scenes", {})[str(number)] = task.result()
                finished.add(number)
            while reported + 1 in finished:
                reported += 1
                await self._advance(record, stages.scene_complete(reported))
                if reported < len(scene_tasks):
                    await self._advance(record, stages.scene_generating(reported + 1))

    async def _render_one(self, record: JobRecord, scene: Scene, fmt: VideoFormat,
                          job_dir: Path, work: WorkLeft) -> dict[str, object]:
        """Render one scene in a worker; learn the machine's speed from it."""
        clip = job_dir / f"scene_{scene.number:02d}.mp4"
        thumbnail = job_dir / f"scene_{scene.number:02d}.jpg"
        _, seconds = await self._in_worker(work, scene_task(scene.number), render_scene,
                                           scene, fmt, record.style, clip, thumbnail)
        work.scenes_left -= 1
        self._throughput.record_scene(work.width, work.height, work.frames_per_scene, seconds)
        return {"clip": clip.name, "thumbnail": thumbnail.name, "created_at": time.time()}

    async def _make_music(self, record: JobRecord, job_dir: Path,
                          work: WorkLeft) -> dict[str, object]:
        """Synthesize the soundtrack in a worker; its mood follows the prompt and the style."""
        path = job_dir / "music.m4a"
        _, seconds = await self._in_worker(work, MUSIC, synthesize_music, float(record.duration),
                                           path, seed=hash_seed(record.prompt),
                                           mood=f"{record.prompt} {record.style}")
        self._throughput.record_step("audio", record.duration, seconds)
        work.audio_done = True
        return {"file": path.name, "created_at": time.time()}

    async def _compose(self, record: JobRecord, work: WorkLeft) -> None:
        await self._advance(record, stages.COMPOSING)
        job_dir = self._job_dir(record.job_id)
        scenes = sorted(record.assets["scenes"].items(), key=lambda item: int(item[0]))
        clips = [job_dir / entry["clip"] for _, entry in scenes]
        output = job_dir / "video.mp4"
        _, seconds = await self._in_worker(work, COMPOSE, compose_video, clips,
                                           job_dir / record.assets["audio"]["file"], output,
                                           duration=float(record.duration))
        self._throughput.record_step("compose", record.duration, seconds)
        work.compose_done = True
        record.assets["final"] = {"file": output.name, "created_at": time.time()}

    async def _in_worker(self, work: WorkLeft, task: str, function: Callable[..., T],
                         *args: Any, **kwargs: Any) -> tuple[T, float]:
        """Run one of the job's tasks in the pool: its result, and the seconds a worker spent.

        While a worker has it, the task is in ``work.in_worker``, so the ETA counts it as
        under way; the time it waited for a free worker is not counted as its own.
        """
        def taken() -> None:
            work.in_worker[task] = time.time()

        try:
            result = await self._pool.run(function, *args, on_start=taken, **kwargs)
            return result, time.time() - work.in_worker[task]
        finally:
            work.in_worker.pop(task, None)

    # ---- recording and publishing ----------------------------------------------------------

    async def _advance(self, record: JobRecord, stage: str) -> None:
        """Move the job to ``stage``: store it, then tell its streams."""
        record.current_stage = stage
        record.progress = stages.stage_progress(stage, record.scene_count)
        finished = stages.logical_stage_finished_by(stage)
        if finished is not None:
            record.stage_times[finished] = time.time()
        await self._publish(record)

    async def _fail(self, record: JobRecord, message: str) -> None:
        record.status = JobStatus.FAILED
        record.error = message
        await self._publish(record)

    async def _publish(self, record: JobRecord) -> None:
        record.event_id += 1
        self._store.save(record)
        await self._feed.publish(record.job_id, record.event_id, self.state(record))
        if record.ended:
            asyncio.get_running_loop().call_later(FEED_HISTORY_SECONDS, self._feed.forget,
                                                  record.job_id)


def hash_seed(text: str) -> int:
    """A stable seed from text (Python's ``hash`` changes between processes)."""
    return zlib.crc32(text.encode())
