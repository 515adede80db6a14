"""The floor under render speed: encoding alone, the renderer's own pictures, every core busy.

A video can never render faster than its frames can be encoded, so the benchmark reports
render times beside two floors. To make them the floors of *this* render, they encode the
very pictures the renderer drew (decoded from a finished job's scene clips beforehand,
untimed), with the renderer's settings (``encode.py``'s ``ClipWriter``), in as many processes
at once as the renderer has workers:

- the encode-only limit converts each picture from RGB (``to_yuv``) and encodes it: what
  any renderer that draws RGB pictures pays at the least. Drawing is what a render adds.
- the encoder alone encodes the pictures already in its format: the procedural renderer
  paints in the encoder's colours, so it skips most of the conversion, and this floor
  shows what its drawing and hand-over cost on top of x264 itself.
"""

from __future__ import annotations

import heapq
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.frame import PictureType

from services.backend.render.encode import ClipWriter, to_yuv
from services.backend.render.formats import VideoFormat


@dataclass(frozen=True)
class Floors:
    """Wall seconds to encode a job's pictures: from RGB (the encode-only limit), and from
    frames already in the encoder's format (the encoder alone)."""

    from_rgb: float
    encoder: float


def encode_only_seconds(clips: Sequence[Path], fmt: VideoFormat, workers: int) -> Floors:
    """Wall seconds ``workers`` processes need to encode the pictures of ``clips``.

    Each clip is encoded on its own, as the renderer encodes each scene; the clips are dealt
    to the first process free, as the render pool deals scenes.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        seconds = list(pool.map(_encode_clip_seconds, clips, [fmt] * len(clips)))
    return Floors(
        from_rgb=_dealt(workers, (from_rgb for from_rgb, _ in seconds)),
        encoder=_dealt(workers, (encoder for _, encoder in seconds)),
    )


def _dealt(workers: int, seconds: Iterable[float]) -> float:
    """When the last of ``workers`` processes ends, each taking the next job as it is free."""
    free_at = [0.0] * workers
    for clip_seconds in seconds:
        heapq.heapreplace(free_at, free_at[0] + clip_seconds)
    return max(free_at)


def _encode_clip_seconds(clip: Path, fmt: VideoFormat) -> tuple[float, float]:
    """Decode ``clip``'s pictures (untimed), then time encoding them from RGB and as they are."""
    with av.open(str(clip)) as container:
        frames = list(container.decode(video=0))
    pictures = [np.ascontiguousarray(frame.to_ndarray(format="rgb24")) for frame in frames]
    from_rgb = _encoding_seconds(fmt, lambda: (to_yuv(picture) for picture in pictures))
    encoder = _encoding_seconds(fmt, lambda: (_fresh(frame) for frame in frames))
    return from_rgb, encoder


def _encoding_seconds(fmt: VideoFormat, frames: Callable[[], Iterator[av.VideoFrame]]) -> float:
    """Seconds to make and encode ``frames()`` into a clip."""
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        with ClipWriter(Path(directory) / "limit.mp4", fmt) as writer:
            for frame in frames():
                writer.write(frame)
        return time.perf_counter() - started


def _fresh(frame: av.VideoFrame) -> av.VideoFrame:
    """A decoded frame as the renderer hands one over: with no picture type, which x264
    would otherwise follow (the decoder marks each frame I or P)."""
    frame.pict_type = PictureType.NONE
    return frame
