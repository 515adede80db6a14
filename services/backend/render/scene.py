"""Rendering one scene to its clip and thumbnail; this runs in a worker process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import av

from services.backend.render.base import Picture, RenderCancelled, SceneRenderer
from services.backend.render.encode import PIXEL_FORMAT, ClipWriter, to_yuv
from services.backend.render.files import atomic_output
from services.backend.render.finish import Finisher
from services.backend.render.formats import VideoFormat
from services.backend.render.look import look_for
from services.backend.render.procedural import ProceduralRenderer
from services.backend.render.thumbnail import save_thumbnail
from services.backend.script import Scene

THUMBNAIL_AT = 0.55  # of the way through the scene: faded in, caption not drawn on it


def render_scene(
    scene: Scene,
    fmt: VideoFormat,
    style: str,
    clip_path: Path,
    thumbnail_path: Path,
    *,
    should_stop: Callable[[], bool],
    renderer: SceneRenderer | None = None,
) -> None:
    """Encode ``scene`` to an H.264 MP4 at ``clip_path`` and a JPEG at ``thumbnail_path``.

    ``should_stop`` is asked before every frame; when it answers True the render stops
    with ``RenderCancelled`` and neither file exists. Both files appear only once they
    are complete.
    """
    with (
        atomic_output(clip_path) as clip,
        atomic_output(thumbnail_path) as thumbnail,
        ClipWriter(clip, fmt) as writer,
    ):
        still = partial(save_thumbnail, path=thumbnail)
        frames = finished_frames(scene, fmt, style, renderer=renderer, still=still)
        for index in range(fmt.frame_count(scene.duration)):
            if should_stop():
                raise RenderCancelled(f"scene {scene.number} cancelled at frame {index}")
            writer.write(next(frames))


def finished_frames(
    scene: Scene,
    fmt: VideoFormat,
    style: str,
    *,
    renderer: SceneRenderer | None = None,
    still: Callable[[av.VideoFrame], None] | None = None,
) -> Iterator[av.VideoFrame]:
    """The frames of ``scene`` exactly as the encoder gets them: drawn, in YUV, finished.

    ``still`` is handed the thumbnail's frame before its caption is drawn. Each frame is
    drawn when asked for, so a cancelled render draws no more.
    """
    renderer = renderer or ProceduralRenderer()
    finisher = Finisher(scene, fmt, look_for(style))
    count = fmt.frame_count(scene.duration)
    thumbnail_index = min(count - 1, int(count * THUMBNAIL_AT))
    pictures = iter(renderer.frames(scene, fmt, style))
    for index in range(count):
        frame = _encoder_ready(next(pictures, None), fmt)
        if frame is None:
            raise ValueError(
                f"the renderer's frame {index} of scene {scene.number} is missing or not "
                f"{fmt.width}x{fmt.height} RGB or {PIXEL_FORMAT}"
            )
        finisher.grade(frame, index)
        if index == thumbnail_index and still is not None:
            still(frame)
        finisher.caption(frame, index)
        yield frame


def _encoder_ready(picture: Picture | None, fmt: VideoFormat) -> av.VideoFrame | None:
    """``picture`` as the encoder takes it, or None if it is missing or of another size."""
    if isinstance(picture, av.VideoFrame):
        fits = (picture.width, picture.height, picture.format.name) == (
            fmt.width, fmt.height, PIXEL_FORMAT)
        return picture if fits else None
    if picture is None or picture.shape != (fmt.height, fmt.width, 3):
        return None
    return to_yuv(picture)
