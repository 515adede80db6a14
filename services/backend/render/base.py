"""The seam between "what a scene looks like" and "how it becomes a file".

``render_scene`` only needs frames; anything that yields them can replace the procedural
renderer: an AI model in the worker process, or a client of a remote GPU worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import av
import numpy as np

from services.backend.render.formats import VideoFormat
from services.backend.script import Scene

Picture = np.ndarray | av.VideoFrame  # a frame as a renderer yields it (``SceneRenderer``)


class RenderCancelled(Exception):
    """The job was cancelled while a scene was being rendered; no file was left behind."""


class SceneRenderer(Protocol):
    """Makes the pictures of one scene."""

    def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[Picture]:
        """Yield ``round(scene.duration * fmt.fps)`` frames, each HxWx3 uint8 RGB, or
        already in the encoder's format (a yuv420p ``av.VideoFrame``, BT.709 limited range:
        what the procedural renderer paints, skipping the conversion).

        Frames are consumed one at a time, so a renderer may reuse one buffer.
        """
        ...
