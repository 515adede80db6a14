"""Driving one job through its stages: script, scenes, music, the final video.

Rendering happens in the render pool; the driver decides what to render, records each piece
of work in the job's assets as it finishes and publishes the stages it reached
(``progression.due_stages``). Scenes render in parallel (one per worker) and finish in any
order, yet progress follows the contract's table exactly and never goes back.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from services.backend.eta import COMPOSE, MUSIC, Throughput, WorkLeft, scene_task
from services.backend.media import MediaStore, MediaUnavailable
from services.backend.planner import EtaPlanner
from services.backend.pool import RenderPool, WorkerTaskFailed
from services.backend.progression import due_stages
from services.backend.publisher import Publisher
from services.backend.render import (
    RenderCancelled,
    VideoFormat,
    compose_video,
    render_scene,
    synthesize_music,
    video_format,
)
from services.backend.script import Scene, write_script
from services.backend.store import JobRecord, StoreUnavailable
from services.contract import CANCELLED_ERROR, JobStatus

log = logging.getLogger(__name__)

T = TypeVar("T")


class JobDriver:
    """Runs one job at a time per call of ``run``; cancelling the call cancels the job."""

    def __init__(self, *, publisher: Publisher, pool: RenderPool, planner: EtaPlanner,
                 throughput: Throughput, media: MediaStore) -> None:
        self._publisher = publisher
        self._pool = pool
        self._planner = planner
        self._throughput = throughput
        self._media = media
        self._stopping = False
        self._cancelled: set[str] = set()

    @contextmanager
    def cancelling(self, job_id: str) -> Iterator[None]:
        """While the job's task is being cancelled: the driver stops the job at its next stage
        even if the task's own cancellation is lost. (Python 3.11's ``asyncio.wait_for``, which
        psycopg's pool awaits, can swallow a cancel that lands as its wait ends.)"""
        self._cancelled.add(job_id)
        try:
            yield
        finally:
            self._cancelled.discard(job_id)

    def stop(self) -> None:
        """From now on a cancelled run is the process stopping, not a user's cancel: the job
        stays ``processing`` in the store, so the next start marks it interrupted."""
        self._stopping = True

    async def run(self, record: JobRecord) -> None:
        """Drive one job from script to final video; cancellation ends it as cancelled."""
        work = self._planner.begin(record)
        try:
            record.status = JobStatus.PROCESSING
            record.started_at = time.time()
            await self._catch_up(record)
            scenes = write_script(record.prompt, record.style, record.duration)
            record.script = [scene.description for scene in scenes]
            await self._catch_up(record)
            await self._render_scenes_and_music(record, scenes, work)
            await self._compose(record, work)
        except asyncio.CancelledError:
            if not self._stopping:
                await self._publisher.fail(record, CANCELLED_ERROR)
            raise
        except (WorkerTaskFailed, RenderCancelled, OSError) as error:
            log.exception("job %s failed", record.job_id)
            await self._publisher.fail(record, f"Rendering failed: {error}")
        except MediaUnavailable as error:
            log.exception("job %s failed", record.job_id)
            await self._publisher.fail(record, f"Could not store the video: {error}")
        except StoreUnavailable as error:
            log.warning("job %s failed: the job store cannot be reached (%s)", record.job_id, error)
            await self._publisher.fail(record, "Could not save the job's progress: the job store "
                                               "could not be reached")
        except Exception as error:  # a bug: the job still ends, and the log says where
            log.exception("job %s failed unexpectedly", record.job_id)
            await self._publisher.fail(record, f"Rendering failed: {type(error).__name__}")
        finally:
            self._planner.end(record.job_id)
            await self._media.release(record.job_id)

    async def _catch_up(self, record: JobRecord) -> None:
        """Publish, in order, every stage the job's finished work has reached since the last;
        a job marked cancelled goes no further."""
        self._stop_if_cancelled(record)
        for stage in due_stages(record):
            await self._publisher.advance(record, stage)

    def _stop_if_cancelled(self, record: JobRecord) -> None:
        """Before each step: a job marked cancelled stops here (see ``cancelling``)."""
        if record.job_id in self._cancelled:
            raise asyncio.CancelledError

    async def _render_scenes_and_music(self, record: JobRecord, scenes: list[Scene],
                                       work: WorkLeft) -> None:
        """Render every scene and the music in parallel, recording each as it finishes.

        The music is queued in the pool right behind the scenes, so it fills the worker that
        would otherwise idle while the last scene renders. The stages follow the contract's
        order whatever order the pieces finish in (``progression.due_stages``).
        """
        fmt = video_format(record.aspect_ratio, record.render_size)
        job_dir = self._media.workdir(record.job_id)
        scene_tasks = {asyncio.create_task(self._render_one(record, scene, fmt, job_dir, work)):
                       str(scene.number) for scene in scenes}
        music = asyncio.create_task(self._make_music(record, job_dir, work))
        pending: set[asyncio.Task[dict[str, object]]] = {*scene_tasks, music}
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is music:
                        record.assets["audio"] = task.result()
                    else:
                        record.assets.setdefault("scenes", {})[scene_tasks[task]] = task.result()
                await self._catch_up(record)
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _render_one(self, record: JobRecord, scene: Scene, fmt: VideoFormat,
                          job_dir: Path, work: WorkLeft) -> dict[str, object]:
        """Render one scene in a worker; learn the machine's speed from it."""
        self._stop_if_cancelled(record)
        clip = job_dir / f"scene_{scene.number:02d}.mp4"
        thumbnail = job_dir / f"scene_{scene.number:02d}.jpg"
        _, seconds = await self._in_worker(work, scene_task(scene.number), render_scene,
                                           scene, fmt, record.style, clip, thumbnail)
        work.scenes_left -= 1
        await self._throughput.record_scene(work.width, work.height, work.frames_per_scene, seconds)
        for path in (clip, thumbnail):
            await self._media.put(record.job_id, path.name)
        return {"clip": clip.name, "thumbnail": thumbnail.name, "created_at": time.time()}

    async def _make_music(self, record: JobRecord, job_dir: Path,
                          work: WorkLeft) -> dict[str, object]:
        """Synthesize the soundtrack in a worker; its mood follows the prompt and the style."""
        self._stop_if_cancelled(record)
        path = job_dir / "music.m4a"
        _, seconds = await self._in_worker(work, MUSIC, synthesize_music, float(record.duration),
                                           path, seed=hash_seed(record.prompt),
                                           mood=f"{record.prompt} {record.style}")
        await self._throughput.record_step("audio", record.duration, seconds)
        await self._media.put(record.job_id, path.name)
        work.audio_done = True
        return {"file": path.name, "created_at": time.time()}

    async def _compose(self, record: JobRecord, work: WorkLeft) -> None:
        """Join the scenes and the music into the final video: the job is complete."""
        self._stop_if_cancelled(record)
        scenes = sorted(record.assets["scenes"].items(), key=lambda item: int(item[0]))
        clips = [await self._media.fetch(record.job_id, entry["clip"]) for _, entry in scenes]
        audio = await self._media.fetch(record.job_id, record.assets["audio"]["file"])
        output = self._media.workdir(record.job_id) / "video.mp4"
        _, seconds = await self._in_worker(work, COMPOSE, compose_video, clips, audio, output,
                                           duration=float(record.duration))
        await self._throughput.record_step("compose", record.duration, seconds)
        await self._media.put(record.job_id, output.name)
        work.compose_done = True
        record.assets["final"] = {"file": output.name, "created_at": time.time()}
        record.status = JobStatus.COMPLETED
        await self._catch_up(record)

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


def hash_seed(text: str) -> int:
    """A stable seed from text (Python's ``hash`` changes between processes)."""
    return zlib.crc32(text.encode())
