"""The land of each setting: which layers stand where, their shapes and their colours.

A setting is a short table of layers from far to near. Each layer's shape is a height
profile made from a few random numbers (mountain ridges, a forest of spruces, a skyline
with lit windows, dunes, rolling swell); distance fades its colours into the haze of the
horizon, which is what makes flat layers read as depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from services.backend.render.camera import Camera, View
from services.backend.render.look import Look
from services.backend.render.palette import RGB, Palette, mix
from services.backend.render.shapes import SHAPES, STEP, skyline
from services.backend.render.silhouettes import Profile, Ramp, Silhouette, Windows, pixel_view

REFERENCE_LAND = 288  # pixels between the horizon and the bottom of a 1280x720 frame


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a setting, in pixels of a 1280x720 frame."""

    shape: str  # a key of SHAPES, or "skyline"
    depth: float  # 0 (as far as the sky) .. 1 (nearest)
    base: float  # where it stands: 0 on the horizon .. 1 at the bottom of the frame
    size: float  # how tall its features are
    spacing: float  # how wide they are, or how far apart
    tone: float  # 0 lost in the haze .. 1 in full colour
    material: str  # "terrain" | "foliage" | "water"


SETTINGS: dict[str, tuple[LayerSpec, ...]] = {
    "forest": (
        LayerSpec("ridges", 0.08, 0.0, 150, 240, 0.2, "terrain"),
        LayerSpec("conifers", 0.22, 0.05, 55, 11, 0.42, "foliage"),
        LayerSpec("conifers", 0.45, 0.24, 105, 22, 0.68, "foliage"),
        LayerSpec("rolling", 0.75, 0.66, 24, 520, 0.9, "terrain"),
        LayerSpec("conifers", 1.0, 0.95, 330, 170, 1.0, "foliage"),
    ),
    "mountains": (
        LayerSpec("ridges", 0.06, 0.0, 270, 320, 0.16, "terrain"),
        LayerSpec("ridges", 0.16, 0.05, 180, 230, 0.36, "terrain"),
        LayerSpec("conifers", 0.4, 0.32, 50, 13, 0.62, "foliage"),
        LayerSpec("rolling", 0.72, 0.64, 50, 620, 0.85, "terrain"),
        LayerSpec("rolling", 1.0, 0.9, 40, 500, 1.0, "terrain"),
    ),
    "city": (
        LayerSpec("skyline", 0.12, 0.0, 150, 36, 0.3, "terrain"),
        LayerSpec("skyline", 0.3, 0.25, 250, 64, 0.55, "terrain"),
        LayerSpec("skyline", 0.62, 0.62, 390, 110, 0.82, "terrain"),
        LayerSpec("flat", 0.62, 0.62, 0, 1, 1.0, "terrain"),
    ),
    "ocean": (
        LayerSpec("islands", 0.06, 0.0, 45, 420, 0.25, "terrain"),
        LayerSpec("flat", 0.06, 0.0, 0, 1, 0.0, "water"),
        LayerSpec("swell", 0.3, 0.2, 12, 200, 0.3, "water"),
        LayerSpec("swell", 0.55, 0.42, 24, 300, 0.6, "water"),
        LayerSpec("swell", 0.8, 0.66, 40, 420, 0.9, "water"),
        LayerSpec("rolling", 1.0, 0.9, 22, 700, 1.0, "terrain"),
    ),
    "desert": (
        LayerSpec("mesas", 0.08, 0.0, 120, 260, 0.22, "terrain"),
        LayerSpec("dunes", 0.25, 0.1, 40, 260, 0.5, "terrain"),
        LayerSpec("dunes", 0.55, 0.36, 70, 420, 0.76, "terrain"),
        LayerSpec("dunes", 1.0, 0.78, 90, 620, 1.0, "terrain"),
    ),
    "meadow": (
        LayerSpec("rolling", 0.1, 0.0, 70, 500, 0.25, "terrain"),
        LayerSpec("rolling", 0.25, 0.12, 60, 420, 0.45, "terrain"),
        LayerSpec("roundtrees", 0.45, 0.32, 60, 90, 0.66, "foliage"),
        LayerSpec("rolling", 0.72, 0.58, 50, 600, 0.85, "terrain"),
        LayerSpec("rolling", 1.0, 0.88, 50, 700, 1.0, "terrain"),
    ),
    "space": (),
}


def sky_shown(setting: str, camera: Camera) -> int:
    """How many rows of sky, at most, the land of ``setting`` lets a frame of the shot show.

    No layer's heights go below its baseline, so every layer covers each column from its
    baseline's row down; that row is lowest at one of the shot's extremes of climb and zoom.
    """
    height = camera.fmt.height
    views = [
        View(x=0.0, y=climb, zoom=zoom, width=camera.fmt.width, horizon_y=camera.horizon_y)
        for climb in (0.0, camera.climb * camera.duration)
        for zoom in (camera.zoom_from, camera.zoom_to)
    ]
    shown = height
    for spec in SETTINGS.get(setting, SETTINGS["meadow"]):
        baseline = np.array(_baseline(spec, camera))
        lowest = max(float(view.screen_y(baseline, spec.depth)) for view in views)
        shown = min(shown, math.ceil(lowest))
    return shown


def build_land(
    setting: str,
    palette: Palette,
    look: Look,
    camera: Camera,
    rng: np.random.Generator,
    scale: float,
    *,
    broadleaf: bool = False,
) -> list[Silhouette]:
    """The layers of ``setting`` (far to near), ready to draw for this camera.

    ``broadleaf`` turns conifers into broadleaf trees (autumn colours, blossom).
    """
    specs = SETTINGS.get(setting, SETTINGS["meadow"])
    if broadleaf:
        specs = tuple(
            replace(spec, shape="roundtrees", size=spec.size * 0.6)
            if spec.shape == "conifers"
            else spec
            for spec in specs
        )
    return [_layer(spec, palette, look, camera, rng, scale) for spec in specs]


def _layer(
    spec: LayerSpec,
    palette: Palette,
    look: Look,
    camera: Camera,
    rng: np.random.Generator,
    scale: float,
) -> Silhouette:
    """One layer: its shape over the world the camera will see, and its gradient."""
    width, height = camera.fmt.width, camera.fmt.height
    low, high = camera.pan_extent()
    xs = np.arange(low * spec.depth - 32, high * spec.depth + width + 32, STEP, dtype=np.float32)
    # Tall frames have more land below the horizon: features grow with it, a little slower.
    stretch = ((height - camera.horizon_y) / REFERENCE_LAND) ** 0.7
    size, spacing = spec.size * stretch, spec.spacing * scale
    baseline = _baseline(spec, camera)
    windows: Windows | None = None
    if spec.shape == "skyline":
        heights, rects = skyline(rng, xs, size, spacing)
        windows = _windows(rng, rects, baseline, spec, palette, look, scale)
    else:
        heights = SHAPES[spec.shape](rng, xs, size, spacing)
    stops, rim_amount = _gradient(spec, palette, baseline - float(heights.max()), baseline, height)
    ramp = Ramp(
        [(y, look.paint(colour)) for y, colour in stops],
        look.paint(palette.rim),
        rim_amount,
    )
    waves = spec.shape == "swell"
    drift = 14 * scale * spec.depth if waves else 0.0
    profile = Profile(float(xs[0]), heights, periodic=waves, drift=drift)
    return Silhouette(spec.depth, baseline, profile, ramp, windows)


def _baseline(spec: LayerSpec, camera: Camera) -> float:
    """The world row a layer stands on."""
    return camera.horizon_y + spec.base * (camera.fmt.height - camera.horizon_y)


def _gradient(
    spec: LayerSpec, palette: Palette, top: float, baseline: float, frame_height: float
) -> tuple[list[tuple[float, RGB]], float]:
    """A layer's gradient stops (world y, colour) and how much its edge takes the rim light.

    Land fades into the horizon's haze with distance. Water mirrors the sky (brighter
    toward the horizon) and its swells catch light on their crests.
    """
    bottom = frame_height * 1.05  # a little beyond, so a climbing camera keeps a gradient
    if spec.material == "water":
        horizon_water, deep = palette.water
        if top >= baseline:
            return [(baseline, horizon_water), (bottom, deep)], 0.3
        face = mix(horizon_water, deep, 0.25 + 0.5 * spec.tone)
        crest = mix(face, palette.rim, 0.3 + 0.25 * spec.tone)
        return [(top, crest), (top + 0.5 * (baseline - top), face), (bottom, deep)], 0.6
    near_top, near_bottom = palette.terrain if spec.material == "terrain" else palette.foliage
    haze = mix(palette.sky_horizon, palette.sky_mid, 0.3)
    presence = spec.tone ** (1 + 2 * palette.fog)
    stops = [(top, mix(haze, near_top, presence)), (bottom, mix(haze, near_bottom, presence))]
    return stops, 0.15 + 0.45 * (1 - spec.tone)


def _windows(
    rng: np.random.Generator,
    rects: list[tuple[float, float, float]],
    baseline: float,
    spec: LayerSpec,
    palette: Palette,
    look: Look,
    scale: float,
) -> Windows | None:
    """The lit windows of a skyline's buildings, on a grid, about a third of them lit."""
    cell = max(3.0, 15 * scale * spec.depth)  # nearer buildings have bigger windows
    size = (cell * 0.45, cell * 0.6)
    xs, ys = [], []
    for left, wide, tall in rects:
        columns = np.arange(left + cell * 0.6, left + wide - cell * 0.6, cell)
        rows = np.arange(baseline - tall + cell * 0.8, baseline - cell, cell * 1.3)
        if len(columns) == 0 or len(rows) == 0:
            continue
        grid_x, grid_y = np.meshgrid(columns, rows)
        lit = rng.random(grid_x.shape) < 0.32
        xs.append(grid_x[lit])
        ys.append(grid_y[lit])
    if not xs:
        return None
    colours = np.round(look.paint(palette.accents)).astype(np.uint8)
    count = sum(len(x) for x in xs)
    return Windows(
        xs=np.concatenate(xs).astype(np.float32),
        ys=np.concatenate(ys).astype(np.float32),
        colour_index=rng.integers(0, len(colours), count),
        colours=pixel_view(colours[None, :, :].copy())[0],
        size=size,
    )
