"""A right first ETA: the render rates measured once, on a machine that has measured none.

The ETA goes by the rates this machine's workers reached on earlier pieces (``eta.py``). On a
fresh data dir there are none, and default rates from another machine would give the very
first user a wrong estimate. So when the render workers start and the store holds no rate
for the default picture size, one scene and the music of a short video render in the pool,
off the event loop, into a scratch folder, and teach the rates exactly as a job's pieces do
(``pieces.learn_from``). A job submitted meanwhile waits at most for the one worker those
pieces hold; a backend that stops meanwhile stops them too.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path

from services.backend.eta import Throughput
from services.backend.picture_sizes import RenderSize
from services.backend.pieces import Piece, learn_from, music, scene
from services.backend.pool import RenderPool
from services.backend.queue import new_record
from services.backend.render import video_format
from services.backend.script import write_script
from services.contract import DEFAULT_ASPECT_RATIO, DURATIONS, GenerateRequest

log = logging.getLogger(__name__)

SAMPLE = GenerateRequest(prompt="A lighthouse on a cliff at dusk", duration=DURATIONS[0])


async def calibrate(pool: RenderPool, throughput: Throughput, *, scratch: Path,
                    render_size: RenderSize) -> None:
    """Measure the rates of a sample job's first scene and its music, unless the default
    picture size has a measured rate already; a failure leaves the default rates."""
    fmt = video_format(DEFAULT_ASPECT_RATIO, render_size)
    if throughput.has_measured(fmt.width, fmt.height):
        return
    record = new_record(SAMPLE, render_size, owner=None)
    first_scene = write_script(SAMPLE.prompt, SAMPLE.style, SAMPLE.duration)[0]
    await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
    try:
        for piece in (scene(record, first_scene, scratch), music(record, scratch)):
            seconds = await _timed(pool, piece)
            await learn_from(throughput, record, piece, seconds)
    except Exception:  # the default rates stand; the first jobs measure the real ones
        log.exception("the render rates could not be measured at start-up")
        return
    finally:
        await asyncio.to_thread(shutil.rmtree, scratch, ignore_errors=True)
    log.info("render rates measured at start-up: %.1f frames a second at %dx%d per worker",
             throughput.frames_per_second(fmt.width, fmt.height), fmt.width, fmt.height)


async def _timed(pool: RenderPool, piece: Piece) -> float:
    """Run the piece in the pool; the seconds a worker spent on it (not waiting for one)."""
    taken: list[float] = []
    await pool.run(piece.function, *piece.args, on_start=lambda: taken.append(time.monotonic()),
                   **piece.kwargs)
    return time.monotonic() - taken[0]
