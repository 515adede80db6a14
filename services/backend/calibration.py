"""A right first ETA: the render rates measured once, on a machine that has measured none.

The ETA goes by the rates this machine's workers reached on earlier pieces (``eta.py``). On a
fresh data dir there are none, and default rates from another machine would give the very
first user a wrong estimate. So when the render workers have started (not while one still
imports, which would make the machine look slower than it is), if the store holds no rate for
the default picture size and no job has come first, a short video's first scene and its music
render side by side, each in its lane as a job's would (``pool.lanes``), off the event loop,
into a scratch folder; then that scene, once per scene of the video, is composed with the
music. Each piece teaches the rates exactly as a job's pieces do (``pieces.learn_from``). A
job submitted meanwhile waits at most for the workers those pieces hold (the pool serves in
turn: the composition waits behind the job); a backend that stops meanwhile stops them too.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path

from services.backend.eta import Throughput
from services.backend.picture_sizes import RenderSize
from services.backend.pieces import Piece, compose, learn_from, music, scene
from services.backend.pool import RenderLanes, RenderPool
from services.backend.queue import new_record
from services.backend.render import video_format
from services.backend.script import write_script
from services.backend.store import JobRecord
from services.contract import DEFAULT_ASPECT_RATIO, DURATIONS, GenerateRequest

log = logging.getLogger(__name__)

SAMPLE = GenerateRequest(prompt="A lighthouse on a cliff at dusk", duration=DURATIONS[0])


async def calibrate(lanes: RenderLanes, throughput: Throughput, *, scratch: Path,
                    render_size: RenderSize) -> None:
    """Measure the rates of a sample job's first scene, its music and its composition, unless
    the default picture size has a measured rate already; a failure leaves the default rates."""
    fmt = video_format(DEFAULT_ASPECT_RATIO, render_size)
    if throughput.has_measured(fmt.width, fmt.height):
        return
    record = new_record(SAMPLE, render_size, owner=None)
    first_scene = write_script(SAMPLE.prompt, SAMPLE.style, SAMPLE.duration)[0]
    await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
    try:
        await lanes.ready()
        if not lanes.idle:  # a job came first: its own pieces teach the rates, in its turn
            return
        shot, sound = scene(record, first_scene, scratch), music(record, scratch)
        async with asyncio.TaskGroup() as measuring:
            for piece in (shot, sound):
                measuring.create_task(_measure(lanes.for_piece(piece.name), throughput,
                                               record, piece))
        clip, audio = shot.files[0], sound.files[0]
        await _measure(lanes.scenes, throughput, record,
                       compose(record, [clip] * record.scene_count, audio, scratch))
    except Exception:  # the default rates stand; the first jobs measure the real ones
        log.exception("the render rates could not be measured at start-up")
        return
    finally:
        await asyncio.to_thread(shutil.rmtree, scratch, ignore_errors=True)
    log.info("render rates measured at start-up: %.1f frames a second at %dx%d per worker",
             throughput.frames_per_second(fmt.width, fmt.height), fmt.width, fmt.height)


async def _measure(pool: RenderPool, throughput: Throughput, record: JobRecord,
                   piece: Piece) -> None:
    """Run the piece in the pool and learn its rate from the seconds a worker spent on it
    (not those it waited for one)."""
    taken: list[float] = []
    await pool.run(piece.function, *piece.args, on_start=lambda: taken.append(time.monotonic()),
                   **piece.kwargs)
    await learn_from(throughput, record, piece, time.monotonic() - taken[0])
