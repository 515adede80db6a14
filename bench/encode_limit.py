"""The floor under render speed: encoding alone, with exactly the renderer's encoder settings.

A scene can never render faster than its frames can be converted and encoded, so the
benchmark reports render times beside this figure. It goes through ``encode.py`` (the
same ``to_yuv`` and ``ClipWriter`` that ``render_scene`` uses), so a change of settings
there moves both numbers. ``python -m bench.encode_limit`` prints it for 720p.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from services.backend.render import video_format
from services.backend.render.encode import ClipWriter, to_yuv
from services.backend.render.formats import VideoFormat


def encode_only_seconds(fmt: VideoFormat, frame_count: int) -> float:
    """Wall seconds to convert and encode ``frame_count`` frames of a flat colour.

    The colour brightens by one level a frame (an in-place add, so making the picture
    costs next to nothing) and starts again every 128 frames.
    """
    base = np.full((fmt.height, fmt.width, 3), (40, 90, 120), dtype=np.uint8)
    picture = base.copy()
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        with ClipWriter(Path(directory) / "limit.mp4", fmt) as writer:
            for index in range(frame_count):
                if index % 128 == 0:
                    np.copyto(picture, base)
                else:
                    picture += np.uint8(1)
                writer.write(to_yuv(picture))
        return time.perf_counter() - started


if __name__ == "__main__":
    frames = 144
    seconds = encode_only_seconds(video_format("16:9"), frames)
    print(f"encode only, 1280x720: {frames} frames in {seconds:.2f} s ({frames / seconds:.0f} fps)")
