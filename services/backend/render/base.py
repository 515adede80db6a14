"""The seam between "what a scene looks like" and "how it becomes a file".

``render_scene`` only needs frames; anything that yields them can replace the procedural
renderer: an AI model in the worker process, or a client of a remote GPU worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

from services.backend.render.formats import VideoFormat
from services.backend.script import Scene


class RenderCancelled(Exception):
    """The job was cancelled while a scene was being rendered; no file was left behind."""


class SceneRenderer(Protocol):
    """Makes the pictures of one scene."""

    def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[np.ndarray]:
        """Yield ``round(scene.duration * fmt.fps)`` frames, each HxWx3 uint8 RGB.

        Frames are consumed one at a time, so a renderer may reuse one buffer.
        """
        ...
