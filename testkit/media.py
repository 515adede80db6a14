"""Small real media files for tests that need a backend to serve some."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def write_clip(path: Path, *, width: int, height: int, frames: int, fps: int) -> None:
    """An H.264 MP4 of ``frames`` flat frames, each a shade lighter than the last."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            picture = np.full((height, width, 3), index * 240 // frames, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(stream.encode())
