"""Driving one job through its stages: script, scenes, music, the final video.

Rendering happens in the render pool; the driver decides what to render, records each piece
of work in the job's assets as it finishes and publishes the stages it reached
(``progression.due_stages``). Scenes render in parallel (one per worker) and finish in any
order, yet progress follows the contract's table exactly and never goes back.

A retried job (``retry.py``) renders only the pieces its earlier attempts did not finish, into
files named for its attempt, so a render of the stopped attempt still winding down in a worker
never writes over them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import Histogram

from services.backend import pieces as pieces_of
from services.backend.eta import COMPOSE, Throughput, WorkLeft
from services.backend.media import MediaStore, MediaUnavailable
from services.backend.pieces import Piece
from services.backend.planner import EtaPlanner
from services.backend.pool import RenderLanes, WorkerTaskFailed
from services.backend.publisher import Publisher
from services.backend.render import RenderCancelled
from services.backend.script import Scene, write_script
from services.backend.store import JobRecord, StoreUnavailable
from services.contract import CANCELLED_ERROR, JobStatus

log = logging.getLogger(__name__)


class JobDriver:
    """Runs one job at a time per call of ``run``; cancelling the call cancels the job."""

    def __init__(self, *, publisher: Publisher, lanes: RenderLanes, planner: EtaPlanner,
                 throughput: Throughput, media: MediaStore, scene_seconds: Histogram) -> None:
        self._publisher = publisher
        self._scene_seconds = scene_seconds  # ``/metrics``: each scene's render time
        self._lanes = lanes
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
        self._log_kept(record)
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

    @staticmethod
    def _log_kept(record: JobRecord) -> None:
        """Say which pieces a retried job keeps from its earlier attempts (not made again).
        A warning, as a retry follows a failure (and the API's log shows warnings)."""
        kept = pieces_of.finished(record)
        if kept:
            log.warning("job %s: attempt %d keeps %s from before", record.job_id,
                        record.attempt, ", ".join(kept))

    async def _catch_up(self, record: JobRecord) -> None:
        """Publish, in order, every stage the job's finished work has reached since the last;
        a job marked cancelled goes no further."""
        self._stop_if_cancelled(record)
        await self._publisher.catch_up(record)

    def _stop_if_cancelled(self, record: JobRecord) -> None:
        """Before each step: a job marked cancelled stops here (see ``cancelling``)."""
        if record.job_id in self._cancelled:
            raise asyncio.CancelledError

    async def _render_scenes_and_music(self, record: JobRecord, scenes: list[Scene],
                                       work: WorkLeft) -> None:
        """Render every scene and the music not finished yet in parallel, recording each as
        it finishes (a retried job keeps the ones an earlier attempt made).

        The music renders in a lane of its own (``pool.lanes``) once every scene has a
        worker: from then on it takes a core a scene worker leaves idle, or shares the cores
        with the last scenes, rather than wait for them to end. Started any sooner, it would
        slow scenes that keep every core busy anyway. The stages follow the contract's order
        whatever order the pieces finish in (``progression.due_stages``).
        """
        job_dir = self._media.workdir(record.job_id)
        scenes_taken = asyncio.Event()

        def scene_taken() -> None:
            if work.scenes_waiting == 0:
                scenes_taken.set()

        scene_taken()  # set at once when no scene is left to render (a retry)
        pending = {asyncio.create_task(self._run_piece(record, piece, work, on_taken=scene_taken))
                   for piece in (pieces_of.scene(record, shot, job_dir, record.attempt)
                                 for shot in scenes)
                   if not pieces_of.is_finished(record, piece.name)}
        music = pieces_of.music(record, job_dir, record.attempt)
        if not pieces_of.is_finished(record, music.name):
            pending.add(asyncio.create_task(
                self._run_piece(record, music, work, after=scenes_taken)))
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    pieces_of.record_finished(record, task.result())
                await self._catch_up(record)
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _compose(self, record: JobRecord, work: WorkLeft) -> None:
        """Join the scenes and the music into the final video (unless an earlier attempt did
        and was stopped just after): the job is complete."""
        self._stop_if_cancelled(record)
        if not pieces_of.is_finished(record, COMPOSE):
            clips = [await self._media.fetch(record.job_id, name)
                     for name in pieces_of.final_clips(record)]
            audio = await self._media.fetch(record.job_id, record.assets["audio"]["file"])
            piece = pieces_of.compose(record, clips, audio, self._media.workdir(record.job_id),
                                      record.attempt)
            pieces_of.record_finished(record, await self._run_piece(record, piece, work))
        await self._catch_up(record)

    async def _run_piece(self, record: JobRecord, piece: Piece, work: WorkLeft, *,
                         on_taken: Callable[[], None] | None = None,
                         after: asyncio.Event | None = None) -> Piece:
        """Run one piece in its lane (once ``after`` is set, if given), learn the machine's
        speed from it and store its files.

        While a worker has it, the piece is in ``work.in_worker``, so the ETA counts it as
        under way (``on_taken`` is called then); the time it waited for a free worker is not
        counted as its own.
        """
        if after is not None:
            await after.wait()
        self._stop_if_cancelled(record)

        def taken() -> None:
            work.in_worker[piece.name] = time.time()
            if on_taken is not None:
                on_taken()

        try:
            await self._lanes.for_piece(piece.name).run(piece.function, *piece.args,
                                                        on_start=taken, **piece.kwargs)
            seconds = time.time() - work.in_worker[piece.name]
        finally:
            work.in_worker.pop(piece.name, None)
        work.finished(piece.name)
        if pieces_of.scene_of(piece.name) is not None:
            self._scene_seconds.observe(seconds)
        await pieces_of.learn_from(self._throughput, record, piece, seconds)
        for path in piece.files:
            await self._media.put(record.job_id, path.name)
        return piece
