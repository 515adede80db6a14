"""One piece of a job rendered on a cluster worker: taken, rendered, recorded, each once.

1. **Take**, under the job's lock: the job must still be running or waiting, the task's attempt
   must be the one the store gives the piece (else it is a stale redelivery, and does nothing),
   and the piece's lease must be free (else another worker renders it now). The first piece a
   job's workers take starts the job: its script and first stages are published.
2. **Render** in a thread while the loop renews the lease and reads the job's cancel flag;
   the render stops at its next frame once cancelled, and this process ends itself if it does
   not stop within a second (it runs one task only, so nothing else is lost).
3. **Finish**, under the lock again: upload the files (named after the attempt, so a later
   attempt never overwrites them), record the piece in the job's assets if the attempt still
   owns it, publish the stages now due, and queue the composition once every scene and the
   music are in.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable

from services.backend import pieces as pieces_of
from services.backend.cluster.coordination import RENEW_SECONDS
from services.backend.cluster.parts import ClusterParts
from services.backend.job_log import note
from services.backend.pieces import COMPOSE, Piece
from services.backend.render import RenderCancelled
from services.backend.script import Scene, write_script
from services.backend.store import JobRecord
from services.contract import JobStatus

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 1.0
CANCEL_POLL_SECONDS = 0.2
QueueComposition = Callable[[str], None]  # sends the job's composition to the workers (blocking)


class PieceRun:
    """One task: ``piece`` of ``job_id`` at ``attempt``, by the worker ``worker``."""

    def __init__(self, parts: ClusterParts, *, job_id: str, piece: str, attempt: int,
                 worker: str, queue_composition: QueueComposition) -> None:
        self._parts = parts
        self._job_id = job_id
        self._name = piece
        self._attempt = attempt
        self._worker = worker
        self._holder = f"{worker}#{attempt}"
        self._queue_composition = queue_composition

    async def run(self) -> str:
        """Do the task; what became of it, for the worker's log."""
        record = await self._take()
        if record is None:
            return "skipped"
        try:
            piece = await self._piece(record)
            started = time.time()
            try:
                await self._render(piece)
            except RenderCancelled:
                return "stopped"
            except Exception as error:  # the render's own failure: the job ends, saying why
                log.exception("job %s: %s failed", self._job_id, self._name)
                await self._fail(f"Rendering failed: {error}")
                return "failed"
            await pieces_of.learn_from(self._parts.throughput, record, piece,
                                       time.time() - started)
            for path in piece.files:
                await self._parts.media.put(self._job_id, path.name)
            return await self._finish(piece)
        finally:
            await self._parts.coordination.drop_lease(self._job_id, self._name, self._holder)
            await self._parts.media.release(self._job_id)

    async def _take(self) -> JobRecord | None:
        """The job, if this task may render its piece now (see the module's docstring)."""
        coordination = self._parts.coordination
        async with coordination.job_lock(self._job_id):
            record = await self._current()
            if record is None or pieces_of.is_finished(record, self._name):
                return None
            if not await coordination.take_lease(self._job_id, self._name, self._holder):
                log.info("job %s: %s is being rendered elsewhere", self._job_id, self._name)
                return None
            record.work[self._name]["taken_at"] = time.time()
            if record.status == JobStatus.PENDING:
                await self._start(record)
            else:
                await self._parts.store.save(record)
            return record

    async def _current(self) -> JobRecord | None:
        """The job's record if it goes on and this task's attempt owns the piece, else None
        (under the job's lock: its last state, published again in case its publisher died)."""
        record = await self._parts.store.get(self._job_id)
        if record is None or record.ended:
            return None
        await self._parts.publisher.republish(record)
        entry = record.work.get(self._name)
        if entry is None or entry["attempt"] != self._attempt:
            log.info("job %s: %s attempt %d is stale", self._job_id, self._name, self._attempt)
            return None
        return record

    async def _start(self, record: JobRecord) -> None:
        """The job's first piece is taken: it is processing, and its script is written."""
        record.status = JobStatus.PROCESSING
        record.started_at = time.time()
        await self._parts.publisher.catch_up(record)
        record.script = [shot.description for shot in self._scenes(record)]
        await self._parts.publisher.catch_up(record)

    @staticmethod
    def _scenes(record: JobRecord) -> list[Scene]:
        return write_script(record.prompt, record.style, record.duration)

    async def _piece(self, record: JobRecord) -> Piece:
        """What this task renders, its inputs fetched from the media store."""
        media = self._parts.media
        job_dir = media.workdir(self._job_id)
        if self._name == COMPOSE:
            clips = [await media.fetch(self._job_id, name)
                     for name in pieces_of.final_clips(record)]
            audio = await media.fetch(self._job_id, record.assets["audio"]["file"])
            return pieces_of.compose(record, clips, audio, job_dir, self._attempt)
        number = pieces_of.scene_of(self._name)
        if number is None:
            return pieces_of.music(record, job_dir, self._attempt)
        return pieces_of.scene(record, self._scenes(record)[number - 1], job_dir, self._attempt)

    async def _render(self, piece: Piece) -> None:
        """Render in a thread; stop it on a cancel, or when the lease is someone else's."""
        stop = threading.Event()
        render = asyncio.create_task(asyncio.to_thread(piece.run, stop.is_set))
        watch = asyncio.create_task(self._watch(stop, render))
        try:
            await asyncio.wait([render, watch], return_when=asyncio.FIRST_COMPLETED)
            if not render.done():  # told to stop: the render has a second to notice
                done, _ = await asyncio.wait([render], timeout=STOP_GRACE_SECONDS)
                if not done:
                    log.error("job %s: %s ignored its stop; ending the task's process",
                              self._job_id, self._name)
                    os._exit(1)
            await render
        finally:
            watch.cancel()
            await asyncio.gather(watch, return_exceptions=True)

    async def _watch(self, stop: threading.Event, render: asyncio.Future[None]) -> None:
        """While the render runs: renew the lease, and set ``stop`` on a cancel, a lease lost
        or the worker that started this process gone. It ends with the render at the latest
        (its process goes on to other tasks)."""
        coordination = self._parts.coordination
        parent = os.getppid()
        renewed = time.monotonic()
        while not render.done():
            await asyncio.sleep(CANCEL_POLL_SECONDS)
            if os.getppid() != parent:
                log.error("job %s: the worker is gone; ending %s", self._job_id, self._name)
                os._exit(1)
            if await coordination.cancelled(self._job_id):
                break
            if time.monotonic() - renewed >= RENEW_SECONDS and not render.done():
                if not await coordination.renew_lease(self._job_id, self._name, self._holder):
                    log.warning("job %s: %s's lease was lost", self._job_id, self._name)
                    break
                renewed = time.monotonic()
        else:
            return  # the render ended by itself
        stop.set()

    async def _finish(self, piece: Piece) -> str:
        """Record the finished piece if this attempt still owns it; publish what is due."""
        publisher = self._parts.publisher
        async with self._parts.coordination.job_lock(self._job_id):
            record = await self._current()
            if record is None:
                return "dropped"
            pieces_of.record_finished(record, piece)
            compose_now = self._all_but_composition_done(record)
            if compose_now:
                record.work[COMPOSE] = {"attempt": 1, "taken_at": None}
            if not await publisher.catch_up(record):
                await self._parts.store.save(record)
            if compose_now:
                await asyncio.to_thread(self._queue_composition, self._job_id)
        await note(self._parts.store, self._job_id,
                   f"{self._worker} rendered {self._name} (attempt {self._attempt})")
        return "rendered"

    @staticmethod
    def _all_but_composition_done(record: JobRecord) -> bool:
        return COMPOSE not in record.work and all(
            pieces_of.is_finished(record, name) for name in record.work)

    async def _fail(self, message: str) -> None:
        """End the job as failed, if this attempt still owns its piece."""
        async with self._parts.coordination.job_lock(self._job_id):
            record = await self._current()
            if record is not None:
                await self._parts.publisher.fail(record, message)
