"""The floor under render speed: encoding alone, the renderer's own pictures, every core busy.

A video can never render faster than its frames can be converted and encoded, so the
benchmark reports render times beside this figure. To make it the floor of *this* render,
it encodes the very pictures the renderer drew (decoded from a finished job's scene clips
beforehand, untimed), with the renderer's settings (``encode.py``: the same ``to_yuv`` and
``ClipWriter``), in as many processes at once as the renderer has workers. Only the
conversion and the encoding are timed; drawing is what the render adds on top.
"""

from __future__ import annotations

import heapq
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av
import numpy as np

from services.backend.render.encode import ClipWriter, to_yuv
from services.backend.render.formats import VideoFormat


def encode_only_seconds(clips: Sequence[Path], fmt: VideoFormat, workers: int) -> float:
    """Wall seconds ``workers`` processes need to encode the pictures of ``clips``.

    Each clip is encoded on its own, as the renderer encodes each scene; the clips are dealt
    to the first process free, as the render pool deals scenes.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        seconds = list(pool.map(_encode_clip_seconds, clips, [fmt] * len(clips)))
    free_at = [0.0] * workers
    for clip_seconds in seconds:
        heapq.heapreplace(free_at, free_at[0] + clip_seconds)
    return max(free_at)


def _encode_clip_seconds(clip: Path, fmt: VideoFormat) -> float:
    """Decode ``clip`` to RGB pictures (untimed), then time converting and encoding them."""
    with av.open(str(clip)) as container:
        pictures = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        with ClipWriter(Path(directory) / "limit.mp4", fmt) as writer:
            for picture in pictures:
                writer.write(to_yuv(np.ascontiguousarray(picture)))
        return time.perf_counter() - started
