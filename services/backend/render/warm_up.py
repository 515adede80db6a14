"""A worker's warm-up: a tiny scene rendered and dropped before the worker takes any work.

The first scene a process renders pays first-use costs the later ones do not (compiled loops
loaded, the encoder and the fonts set up): measured, 14-19 % more CPU for a first draft scene
than for the next. A piece's time teaches the ETA its rate, and the very first rates come from
the start-up calibration's scene, so those costs are paid here instead, in some 30 ms.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from services.backend.render.formats import VideoFormat
from services.backend.render.scene import render_scene
from services.backend.script import write_script

FORMAT = VideoFormat(width=64, height=36, fps=24)
SECONDS = 0.5


def warm_up() -> None:
    """Render half a second of a tiny scene, with its thumbnail, and drop both."""
    first = write_script("A lighthouse on a cliff at dusk", "", 15)[0]
    with tempfile.TemporaryDirectory(prefix="aurora-warm-up-") as scratch:
        render_scene(dataclasses.replace(first, duration=SECONDS), FORMAT, "",
                     Path(scratch) / "clip.mp4", Path(scratch) / "thumbnail.jpg",
                     should_stop=lambda: False)
