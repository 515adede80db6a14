"""Where a scene's render time goes per frame: drawing, handing over, finishing, encoding, muxing.

Renders the first scenes of ``bench/render.py``'s 60 s job (its prompt, the default style,
1280x720) in this one process, step by step as ``render_scene`` does, and times every step of
every frame. Prints the median milliseconds per frame of each step (the scene's set-up spread
over its frames) and the share of drawing: set-up, draw, hand-over (the painted picture to
yuv420p) and finish are what the renderer adds to encoding. Beside it, the time the
encode-only limit (``bench/encode_limit.py``) spends converting the same pictures from RGB,
which the renderer no longer does: the share is printed against that limit and against the
encoder alone. Mux is writing the file. Run with ``make bench`` or
``python -m bench.render_profile``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.render import PROMPT
from services.backend.render import video_format
from services.backend.render.encode import Canvas, ClipWriter, to_yuv
from services.backend.render.finish import Finisher
from services.backend.render.look import look_for
from services.backend.render.procedural import Stage
from services.backend.script import write_script

SCENES = 3  # establishing, detail and tracking shots: zooming, close and fast
STEPS = ("set-up", "draw", "hand-over", "finish", "encode", "mux", "RGB convert")
DRAWING = ("set-up", "draw", "hand-over", "finish")
LIMIT = ("RGB convert", "encode")  # the encode-only limit's work per frame


class Timings:
    """Seconds each step took, per frame."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {step: [] for step in STEPS}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Count the time the block takes to step ``name``."""
        started = time.perf_counter()
        yield
        self.seconds[name].append(time.perf_counter() - started)

    def median_ms(self, step: str) -> float:
        return statistics.median(self.seconds[step]) * 1000


def profile(scenes: int = SCENES) -> Timings:
    """Render the job's first ``scenes`` scenes, timing each step of each frame."""
    fmt, look = video_format("16:9"), look_for("")
    script = write_script(PROMPT, "", 60)
    Stage(script[0], fmt, look)  # warm-up: a worker pays its first imports and caches once
    timings = Timings()
    for scene in script[:scenes]:
        count = fmt.frame_count(scene.duration)
        started = time.perf_counter()
        stage, finisher = Stage(scene, fmt, look), Finisher(scene, fmt, look)
        canvas = Canvas(fmt.width, fmt.height)
        timings.seconds["set-up"] += [(time.perf_counter() - started) / count] * count
        with (
            tempfile.TemporaryDirectory() as folder,
            ClipWriter(Path(folder) / "scene.mp4", fmt) as writer,
        ):
            for index in range(count):
                with timings.step("draw"):
                    stage.draw(canvas.pixels, index / fmt.fps)
                with timings.step("hand-over"):
                    frame = canvas.to_yuv()
                rgb = frame.to_ndarray(format="rgb24")
                with timings.step("RGB convert"):
                    to_yuv(rgb)
                with timings.step("finish"):
                    finisher.grade(frame, index)
                    finisher.caption(frame, index)
                with timings.step("encode"):
                    packets = writer.encode(frame)
                with timings.step("mux"):
                    writer.mux(packets)
    return timings


def main() -> None:
    """Profile and print the figures."""
    timings = profile()
    print(f"render profile: the first {SCENES} scenes of the 60 s job at 1280x720, one process,"
          " median ms per frame")
    for step in STEPS:
        print(f"  {step:<11} {timings.median_ms(step):6.2f}")
    drawing = sum(timings.median_ms(step) for step in DRAWING)
    limit = sum(timings.median_ms(step) for step in LIMIT)
    encode = timings.median_ms("encode")
    print(f"  drawing ({' + '.join(DRAWING)}) {drawing:.2f} ms per frame: at best"
          f" {limit / (encode + drawing):.2f} of the encode-only limit"
          f" ({' + '.join(LIMIT)}, {limit:.2f} ms),"
          f" {encode / (encode + drawing):.2f} of the encoder alone")


if __name__ == "__main__":
    main()
