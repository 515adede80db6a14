"""The default renderer: a scene as an animated, layered landscape drawn with numpy.

Building a scene (``Stage``) does the expensive work once: the sky picture, the land's
profiles and gradients, the props and particles, all in the style's grade and in the
encoder's colours (``Look.paint``). Drawing a frame is then a handful of array copies
and small blends, and none of them for land or sky that nearer land hides; the frame
reaches the encoder with no colour conversion.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import av
import numpy as np

from services.backend.render.atmosphere import build_air
from services.backend.render.camera import Camera, camera_for
from services.backend.render.encode import Canvas
from services.backend.render.formats import VideoFormat
from services.backend.render.landscape import build_land, sky_shown
from services.backend.render.look import Look, look_for
from services.backend.render.palette import Palette, palette_for
from services.backend.render.silhouettes import Edge, Silhouette, pixel_view
from services.backend.render.sky import Sky
from services.backend.render.sprites import Sprite, palm
from services.backend.script import Scene

REFERENCE_AREA = 1280 * 720  # sizes in the tables are pixels of this frame


class ProceduralRenderer:
    """Draws a scene from its setting, light, motifs and shot; no model, no network."""

    def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[av.VideoFrame]:
        """Yield the scene's frames, encoder-ready (yuv420p)."""
        stage = Stage(scene, fmt, look_for(style))
        canvas = Canvas(fmt.width, fmt.height)
        for index in range(fmt.frame_count(scene.duration)):
            stage.draw(canvas.pixels, index / fmt.fps)
            yield canvas.to_yuv()


class Stage:
    """Everything one scene draws, built once, and the drawing of one frame."""

    def __init__(self, scene: Scene, fmt: VideoFormat, look: Look) -> None:
        scale = math.sqrt(fmt.width * fmt.height / REFERENCE_AREA)
        rng = np.random.default_rng(scene.seed)
        palette = palette_for(scene)
        self.fmt = fmt
        self.camera = camera_for(scene.shot, scene.number, scene.duration, fmt, scale)
        self.sky = Sky(
            palette, look, self.camera, rng, scale, shown=sky_shown(scene.setting, self.camera)
        )
        broadleaf = "autumn" in scene.motifs or "petals" in scene.motifs
        self.land = build_land(
            scene.setting, palette, look, self.camera, rng, scale, broadleaf=broadleaf
        )
        ground = self.land[-1].baseline if self.land else float(fmt.height)
        self.props = _palms(scene, palette, look, self.camera, ground, rng)
        self.air = build_air(
            scene,
            palette,
            look,
            self.camera,
            rng,
            scale,
            sun_x=self.sky.sun_x(self.camera.at(0.0)),
            hearth=_hearth(scene, self.land, self.camera, rng),
        )

    def draw(self, frame: np.ndarray, seconds: float) -> None:
        """Paint over all of ``frame`` (a ``Canvas``'s pixels) the picture ``seconds`` into
        the scene."""
        view = self.camera.at(seconds)
        height = self.fmt.height
        pixels = pixel_view(frame)
        edges = [layer.edge(view, seconds, height) for layer in self.land]
        hidden, sky_rows = _hidden_rows(edges, self.fmt.width, height)
        self.sky.draw(pixels, view, sky_rows)
        for layer, edge, hidden_from in zip(self.land, edges, hidden, strict=True):
            layer.draw(frame, pixels, view, edge, hidden_from)
        for prop in self.props:
            prop.draw(frame, pixels, view)
        for swarm in self.air:
            swarm.draw(frame, view, seconds)


def _hidden_rows(edges: list[Edge], width: int, height: int) -> tuple[list[np.ndarray], int]:
    """Per layer and column, the row from which nearer layers cover it (``height`` where
    none do); and how many rows of sky can show past the land."""
    covered = np.full(width, height)
    hidden = []
    for edge in reversed(edges):
        hidden.append(covered)
        covered = np.minimum(covered, edge.inside)
    return hidden[::-1], int(covered.max())


def _palms(
    scene: Scene,
    palette: Palette,
    look: Look,
    camera: Camera,
    ground: float,
    rng: np.random.Generator,
) -> list[Sprite]:
    """One or two palms on the nearest ground, framing the picture, if the prompt has palms."""
    if "palms" not in scene.motifs:
        return []
    middle = camera.at(scene.duration / 2)
    colour = np.round(look.paint(palette.foliage[1]))
    sides = (0.1, 0.9) if rng.random() < 0.35 else (float(rng.choice((0.12, 0.88))),)
    palms = []
    for side in sides:
        x = float(middle.world_x(np.array(side * camera.fmt.width), 1.0))
        tall = camera.fmt.height * rng.uniform(0.5, 0.68) * middle.zoom
        lean = (0.22 if side < 0.5 else -0.22) * rng.uniform(0.6, 1.2)
        palms.append(palm(tall, lean, colour, (x, ground + 12), 1.0, rng))
    return palms


def _hearth(
    scene: Scene, land: list[Silhouette], camera: Camera, rng: np.random.Generator
) -> tuple[float, float, float] | None:
    """Where a fire burns, if the prompt has one: on near ground clear of the caption,
    off-centre, on a rise.

    Returns the world x and y of the spot and the depth of the layer it stands on.
    """
    if "fire" not in scene.motifs or not land:
        return None
    height = camera.fmt.height
    ground = next((g for g in reversed(land) if g.baseline < 0.9 * height), land[-1])
    middle = camera.at(scene.duration / 2)
    sides = np.array([0.22, 0.32, 0.68, 0.78]) * camera.fmt.width
    xs = middle.world_x(sides, ground.depth)
    surfaces = ground.profile.at(xs, 0.0)
    best = int(np.argmax(surfaces + rng.uniform(0, 1, len(xs))))  # the highest spot shows best
    return float(xs[best]), ground.baseline - float(surfaces[best]) + 4, ground.depth
