"""Particles: snow, rain, embers, fireflies, dust, glints, bokeh, birds, stars in space.

A swarm has no state: every particle's position is a formula of time (a drift, a sway,
a wrap around its box), so any frame can be drawn on its own. A particle is a small
kernel of pixel offsets and weights; a whole swarm is placed in one vectorised step and
blended in one compiled loop (``splat``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.backend.render.camera import View
from services.backend.render.compiled import compiled


@dataclass(frozen=True)
class Kernel:
    """A particle's footprint: pixel offsets from its position and their weights (0..256)."""

    dy: np.ndarray
    dx: np.ndarray
    weight: np.ndarray


def dot(radius: float, *, glow: bool = False, edge: float = 1.0) -> Kernel:
    """A round particle: an antialiased disc whose rim fades over ``edge`` pixels, or with
    ``glow`` a soft fall-off like a point of light."""
    reach = int(np.ceil(radius * (2.5 if glow else 1.0) + edge)) + 1
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    distance = np.hypot(dx, dy)
    if glow:
        weight = np.exp(-((distance / radius) ** 2))
    else:
        weight = np.clip((radius - distance) / edge + 0.5, 0, 1)
    return _kernel(dy, dx, weight)


def streak(length: float, slant: float) -> Kernel:
    """A falling streak (rain): ``length`` rows, leaning ``slant`` columns per row, fading up."""
    rows = np.arange(int(length))
    along = rows * slant
    left = np.floor(along)
    share = along - left
    fade = 0.25 + 0.75 * (rows + 1) / len(rows)
    dy = np.concatenate([rows, rows])
    dx = np.concatenate([left, left + 1]).astype(np.intp)
    weight = np.concatenate([(1 - share) * fade, share * fade])
    return _kernel(dy, dx, weight)


def dash(length: int) -> Kernel:
    """A short horizontal dash of light, brightest in its middle (a glint on water)."""
    along = np.arange(-length, length + 1)
    return _kernel(np.zeros_like(along), along, 1 - np.abs(along) / (length + 1))


def bird(span: int, lift: float) -> Kernel:
    """A bird seen from afar: two wings, raised (``lift`` > 0) or lowered."""
    along = np.arange(-span, span + 1)
    height = -lift * np.abs(along)
    top = np.floor(height)
    share = height - top
    dy = np.concatenate([top, top + 1]).astype(np.intp)
    dx = np.concatenate([along, along])
    return _kernel(dy, dx, np.concatenate([1 - share, share]))


def _kernel(dy: np.ndarray, dx: np.ndarray, weight: np.ndarray) -> Kernel:
    """A kernel of the pixels that have some weight."""
    scaled = np.round(np.asarray(weight, dtype=np.float64) * 256).astype(np.int32).ravel()
    keep = scaled > 0
    return Kernel(
        dy=np.asarray(dy).ravel()[keep].astype(np.intp),
        dx=np.asarray(dx).ravel()[keep].astype(np.intp),
        weight=scaled[keep],
    )


@dataclass(frozen=True)
class Swarm:
    """Particles of one look moving by formula inside a box of the frame."""

    x: np.ndarray  # start positions, pixels
    y: np.ndarray
    vx: np.ndarray  # pixels per second
    vy: np.ndarray
    rate: np.ndarray  # radians per second of each particle's sway and flicker
    phase: np.ndarray
    alpha: np.ndarray  # 0..256
    colours: np.ndarray  # (particles, 3) int32, graded and painted
    kernels: tuple[Kernel, ...]  # cycled through over time (wing beats)
    box: tuple[float, float, float, float]  # left, top, right, bottom: where they wrap
    depth: float = 1.0  # how much they follow the camera's pan
    sway: float = 0.0  # pixels of side-to-side motion
    bob: float = 0.0  # pixels of up-and-down motion
    flicker: float = 0.0  # 0 steady .. 1 blinking
    beat: float = 0.0  # kernel changes per second
    anchored: bool = False  # the box is a place in the world (a fire), not the whole frame
    fade_up: bool = False  # particles fade out as they rise through the box (flames)

    def draw(self, frame: np.ndarray, view: View, seconds: float) -> None:
        """Blend the swarm onto ``frame`` as it is ``seconds`` into the scene."""
        left, top, right, bottom = self.box
        turn = self.rate * seconds + self.phase
        x = self.x + self.vx * seconds + self.sway * np.sin(turn)
        y = self.y + self.vy * seconds + self.bob * np.cos(0.7 * turn)
        if not self.anchored:  # the camera moves past the particles
            x = x - view.x * self.depth
            y = y + view.y * self.depth
        x = left + np.mod(x - left, right - left)  # wrap around the box
        y = top + np.mod(y - top, bottom - top)
        lowness = (y - top) / (bottom - top)  # 0 at the top of the box, 1 at its bottom
        if self.anchored:  # the box is in the world: see it through the camera
            x = view.screen_x(x, self.depth)
            y = view.screen_y(y, self.depth)
        alpha = self.alpha
        if self.flicker:
            alpha = alpha * (1 - self.flicker * (0.5 + 0.5 * np.sin(2.3 * turn)))
        if self.fade_up:
            alpha = alpha * lowness
        kernel = self.kernels[int(seconds * self.beat) % len(self.kernels)]
        splat(frame, np.round(y).astype(np.intp), np.round(x).astype(np.intp),
               np.asarray(alpha).astype(np.int32), self.colours, kernel.dy, kernel.dx,
               kernel.weight)


@compiled(
    "void(uint8[:, :, ::1], intp[::1], intp[::1], int32[::1], int32[:, ::1], intp[::1],"
    " intp[::1], int32[::1])"
)
def splat(frame: np.ndarray, rows: np.ndarray, columns: np.ndarray, alpha: np.ndarray,
           colours: np.ndarray, dy: np.ndarray, dx: np.ndarray, weight: np.ndarray) -> None:
    """Blend each particle's kernel (pixel offsets ``dy``, ``dx`` and their ``weight``)
    at its pixel toward its colour, by its ``alpha`` times the weight, in 256ths; what falls
    outside ``frame`` is left out. (A sprite's edge is one such particle.)"""
    height, width = frame.shape[:2]
    for particle in range(len(rows)):
        for pixel in range(len(weight)):
            row, column = rows[particle] + dy[pixel], columns[particle] + dx[pixel]
            amount = (alpha[particle] * weight[pixel]) >> 8
            if amount <= 0 or not (0 <= row < height and 0 <= column < width):
                continue
            for channel in range(3):
                old = np.int32(frame[row, column, channel])
                frame[row, column, channel] = old + (
                    ((colours[particle, channel] - old) * amount) >> 8)
