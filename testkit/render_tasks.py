"""A render task for tests of the render pool (kept apart from ``pool_tasks``, whose tasks
measure a worker from the moment it starts and must cost nothing to import there)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services.backend.render import render_scene, video_format
from services.backend.script import write_script
from services.contract import DEFAULT_ASPECT_RATIO


def cpu_seconds_of_a_draft_scene(*, should_stop: Callable[[], bool]) -> float:
    """Render the first scene of a 15 s video at draft size, into a scratch folder; the CPU
    seconds it took its worker."""
    shot = write_script("A lighthouse on a cliff at dusk", "", 15)[0]
    began = time.process_time()
    with tempfile.TemporaryDirectory() as scratch:
        render_scene(shot, video_format(DEFAULT_ASPECT_RATIO, "draft"), "",
                     Path(scratch) / "clip.mp4", Path(scratch) / "thumbnail.jpg",
                     should_stop=should_stop)
    return time.process_time() - began
