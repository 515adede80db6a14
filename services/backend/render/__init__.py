"""Rendering: scenes to clips and thumbnails, the music, and the final video.

Everything here runs in worker processes and knows nothing of HTTP or jobs: parameters
and paths in, files out. ``render_scene`` draws with a ``SceneRenderer`` (the procedural
one unless told otherwise), so a model can replace the drawing and keep the rest.
"""

from services.backend.render.audio import synthesize_music
from services.backend.render.base import RenderCancelled, SceneRenderer
from services.backend.render.compose import compose_video
from services.backend.render.formats import VideoFormat, video_format
from services.backend.render.procedural import ProceduralRenderer
from services.backend.render.scene import render_scene
from services.backend.render.warm_up import warm_up

__all__ = [
    "ProceduralRenderer",
    "RenderCancelled",
    "SceneRenderer",
    "VideoFormat",
    "compose_video",
    "render_scene",
    "synthesize_music",
    "video_format",
    "warm_up",
]
