"""Rendering one scene to its clip and thumbnail; this runs in a worker process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from services.backend.render.base import RenderCancelled, SceneRenderer
from services.backend.render.encode import ClipWriter, to_yuv
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
    renderer = renderer or ProceduralRenderer()
    finisher = Finisher(scene, fmt, look_for(style))
    count = fmt.frame_count(scene.duration)
    thumbnail_index = min(count - 1, int(count * THUMBNAIL_AT))
    with (
        atomic_output(clip_path) as clip,
        atomic_output(thumbnail_path) as thumbnail,
        ClipWriter(clip, fmt) as writer,
    ):
        frames = iter(renderer.frames(scene, fmt, style))
        for index in range(count):
            if should_stop():
                raise RenderCancelled(f"scene {scene.number} cancelled at frame {index}")
            rgb = next(frames, None)
            if rgb is None or rgb.shape != (fmt.height, fmt.width, 3):
                raise ValueError(
                    f"the renderer's frame {index} of scene {scene.number} is missing "
                    f"or not {fmt.width}x{fmt.height} RGB"
                )
            frame = to_yuv(rgb)
            finisher.grade(frame, index)
            if index == thumbnail_index:
                save_thumbnail(frame, thumbnail)
            finisher.caption(frame, index)
            writer.write(frame)
