"""Props that a height profile cannot draw (their shapes overhang): palm trees.

A prop is drawn once per scene with Pillow at twice the size and shrunk, which gives
its edges exact coverage; per frame it is drawn like a silhouette, copying its inside
and blending only its edge pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from services.backend.render.camera import View
from services.backend.render.particles import splat
from services.backend.render.silhouettes import pixel_view

SUPERSAMPLE = 2
FROND_ANGLES = np.array([-165, -145, -125, -105, -75, -55, -35, -15])  # degrees, 0 points right


@dataclass(frozen=True)
class Sprite:
    """A flat-coloured shape standing at a world position."""

    solid: np.ndarray  # (h, w) bool: fully covered pixels
    edge_rows: np.ndarray  # partially covered pixels, relative to the sprite's corner
    edge_cols: np.ndarray
    edge_alpha: np.ndarray  # (n,) int32, 0..256
    colour: np.ndarray  # (3,) int32, graded and painted
    foot: tuple[float, float]  # the base point inside the sprite: column, row
    world: tuple[float, float]  # where the base stands: world x, y
    depth: float

    def draw(self, frame: np.ndarray, pixels: np.ndarray, view: View) -> None:
        """Draw the sprite over ``frame`` (``pixels`` is its ``pixel_view``)."""
        height, width = pixels.shape
        left = round(float(view.screen_x(np.array(self.world[0]), self.depth)) - self.foot[0])
        top = round(float(view.screen_y(np.array(self.world[1]), self.depth)) - self.foot[1])
        rows, cols = self.solid.shape
        y0, y1 = max(0, top), min(height, top + rows)
        x0, x1 = max(0, left), min(width, left + cols)
        if y0 >= y1 or x0 >= x1:
            return
        colour = pixel_view(self.colour.astype(np.uint8).reshape(1, 1, 3))
        inside = self.solid[y0 - top : y1 - top, x0 - left : x1 - left]
        np.copyto(pixels[y0:y1, x0:x1], colour, where=inside)
        splat(frame, np.array([top]), np.array([left]), np.array([256], dtype=np.int32),
              self.colour.reshape(1, 3), self.edge_rows, self.edge_cols, self.edge_alpha)


def palm(
    height: float,
    lean: float,
    colour: np.ndarray,
    world: tuple[float, float],
    depth: float,
    rng: np.random.Generator,
) -> Sprite:
    """A palm tree ``height`` pixels tall, its crown ``lean`` (a fraction of it) sideways."""
    size = height * SUPERSAMPLE
    crown = np.array([lean * size, -size])
    trunk = _trunk(size, crown)
    strokes: list[tuple[np.ndarray, float]] = []
    for angle in FROND_ANGLES + rng.uniform(-6, 6, len(FROND_ANGLES)):
        upright = 1 - abs(abs(angle) - 90) / 90  # fronds pointing up are shorter and arch over
        length = size * rng.uniform(0.3, 0.4) * (1 - 0.3 * upright)
        strokes.extend(_frond(crown, np.radians(angle), length))
    points = np.concatenate([trunk, *(line for line, _ in strokes)])
    corner = np.floor(points.min(axis=0)) - 8
    extent = np.ceil(points.max(axis=0)) - corner + 8
    canvas = Image.new("L", (int(extent[0]), int(extent[1])), 0)
    draw = ImageDraw.Draw(canvas)
    draw.polygon([tuple(p) for p in trunk - corner], fill=255)
    for line, width in strokes:
        draw.line([tuple(p) for p in line - corner], fill=255, width=max(1, round(width)))
    for dx, dy in ((-0.02, 0.03), (0.015, 0.035), (0.0, 0.05)):
        cx, cy = crown[0] + dx * size - corner[0], crown[1] + dy * size - corner[1]
        r = 0.016 * size
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    size_down = (max(1, canvas.width // SUPERSAMPLE), max(1, canvas.height // SUPERSAMPLE))
    small = canvas.resize(size_down, Image.Resampling.BOX)
    coverage = np.asarray(small, dtype=np.int32) * 256 // 255
    edge_rows, edge_cols = np.nonzero((coverage > 0) & (coverage < 256))
    return Sprite(
        solid=coverage >= 256,
        edge_rows=np.ascontiguousarray(edge_rows),
        edge_cols=np.ascontiguousarray(edge_cols),
        edge_alpha=coverage[edge_rows, edge_cols],
        colour=colour.astype(np.int32),
        foot=(float(-corner[0] / SUPERSAMPLE), float(-corner[1] / SUPERSAMPLE)),
        world=world,
        depth=depth,
    )


def _trunk(size: float, crown: np.ndarray) -> np.ndarray:
    """The trunk as a polygon: a curve from the base to the crown, thinning as it rises."""
    t = np.linspace(0, 1, 40)[:, None]
    bend = np.array([crown[0] * 0.15, crown[1] * 0.55])
    spine = 2 * (1 - t) * t * bend + t**2 * crown
    normal = _normals(spine)
    half = size * (0.026 - 0.013 * t)
    return np.concatenate([spine + normal * half, (spine - normal * half)[::-1]])


def _frond(crown: np.ndarray, angle: float, length: float) -> list[tuple[np.ndarray, float]]:
    """One leaf as strokes: a stem arching under its weight and leaflets hanging from it."""
    t = np.linspace(0, 1, 40)[:, None]
    direction = np.array([np.cos(angle), np.sin(angle)])
    spine = crown + length * t * direction + np.array([0, 1.0 * length]) * t**2
    tangent = np.gradient(spine, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = _normals(spine)
    strokes = [(spine, length * 0.03)]
    down = np.array([0.0, 1.0])
    for i in range(2, len(t) - 1):
        reach = length * (0.06 + 0.22 * np.sin(np.pi * t[i, 0]) ** 0.8)
        for side in (1.0, -1.0):
            leaf = 0.9 * tangent[i] + 0.45 * side * normal[i] + 0.8 * down
            leaf /= np.linalg.norm(leaf)
            tip = spine[i] + reach * leaf
            middle = (spine[i] + tip) / 2 + 0.08 * reach * side * normal[i]
            strokes.append((np.stack([spine[i], middle, tip]), length * 0.016))
    return strokes


def _normals(line: np.ndarray) -> np.ndarray:
    """Unit normals along a polyline."""
    tangent = np.gradient(line, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    return normal / np.linalg.norm(normal, axis=1, keepdims=True)
