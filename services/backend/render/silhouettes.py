"""Silhouette layers: the land of a scene as height profiles, drawn fast and antialiased.

A layer is a profile (height above a baseline along the world's x axis) filled with a
vertical gradient. Drawing it costs little per frame: the profile is sampled four times
per column, everything below the edge is copied as whole rows of a precomputed gradient
(a masked copy of 3-byte pixels, no per-channel work), and only the few pixels the edge
crosses are blended, by how much of each the layer covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from services.backend.render.camera import View

PIXEL = np.dtype("V3")  # one RGB pixel as a single element: masks then copy pixels, not bytes
SUBSAMPLES = 4  # profile samples per column, for antialiased edges
EDGE_ROWS = 5  # rows per column blended along an edge; steeper edges get a hard step below
_EDGE_OFFSETS = np.arange(EDGE_ROWS)[:, None]
RAMP_STEPS = 128


def pixel_view(frame: np.ndarray) -> np.ndarray:
    """``frame`` (HxWx3 uint8, contiguous) seen as HxW whole pixels, sharing its memory."""
    return frame.view(PIXEL).reshape(frame.shape[:2])


@dataclass(frozen=True)
class Profile:
    """Heights above a baseline along the world's x axis, in pixels at zoom 1."""

    xs: np.ndarray
    heights: np.ndarray
    period: float | None = None  # for endless shapes such as waves
    drift: float = 0.0  # pixels per second the shape itself travels (rolling waves)

    def at(self, world_x: np.ndarray, seconds: float) -> np.ndarray:
        """The heights at ``world_x``, ``seconds`` into the scene."""
        return np.interp(world_x - self.drift * seconds, self.xs, self.heights, period=self.period)


class Ramp:
    """A vertical gradient prepared as whole frame-wide rows, and its edge colours.

    Filling a band of a layer is then a copy of rows; the edge colours lean toward the
    rim light so a silhouette's outline catches the light.
    """

    def __init__(
        self,
        stops: Sequence[tuple[float, np.ndarray]],
        rim: np.ndarray,
        rim_amount: float,
        *,
        width: int,
    ) -> None:
        """``stops`` are (world y, graded colour) pairs, top first."""
        heights = [y for y, _ in stops]
        self._top, self._bottom = heights[0], heights[-1]
        positions = np.linspace(self._top, self._bottom, RAMP_STEPS)
        colours = np.stack(
            [np.interp(positions, heights, [c[i] for _, c in stops]) for i in range(3)], axis=1
        )
        row_colours = np.clip(colours + 0.5, 0, 255).astype(np.uint8)
        rows = np.repeat(row_colours[:, None, :], width, axis=1)
        self.rows = pixel_view(np.ascontiguousarray(rows))
        self.edge = (colours + (rim[None, :] - colours) * rim_amount).astype(np.int32)

    def index(self, world_y: np.ndarray) -> np.ndarray:
        """The gradient step of each world row."""
        position = (world_y - self._top) / (self._bottom - self._top) * (RAMP_STEPS - 1)
        return np.clip(position + 0.5, 0, RAMP_STEPS - 1).astype(np.intp)


@dataclass(frozen=True)
class Windows:
    """Lit windows on a skyline layer: small world-space rectangles of a few colours."""

    xs: np.ndarray  # left edges, world
    ys: np.ndarray  # top edges, world
    colour_index: np.ndarray
    colours: np.ndarray  # whole pixels (PIXEL), graded
    size: tuple[float, float]  # width, height at zoom 1

    def draw(self, pixels: np.ndarray, view: View, depth: float) -> None:
        """Paint the windows that are on screen."""
        height, width = pixels.shape
        w = max(1, round(self.size[0] * view.zoom))
        h = max(1, round(self.size[1] * view.zoom))
        left = np.round(view.screen_x(self.xs, depth)).astype(np.intp)
        top = np.round(view.screen_y(self.ys, depth)).astype(np.intp)
        seen = (left >= 0) & (left <= width - w) & (top >= 0) & (top <= height - h)
        rows = (top[seen][:, None] + np.repeat(np.arange(h), w)[None, :]).ravel()
        cols = (left[seen][:, None] + np.tile(np.arange(w), h)[None, :]).ravel()
        pixels[rows, cols] = np.repeat(self.colours[self.colour_index[seen]], w * h)


@dataclass(frozen=True)
class Silhouette:
    """One layer of land: a profile standing on a baseline at a depth, filled by a ramp."""

    depth: float
    baseline: float  # world y of height 0
    profile: Profile
    ramp: Ramp
    windows: Windows | None = None

    def draw(self, frame: np.ndarray, pixels: np.ndarray, view: View, seconds: float) -> None:
        """Draw the layer over ``frame`` (``pixels`` is its ``pixel_view``)."""
        height, width = pixels.shape
        heights = self.profile.at(view.world_x(_subcolumns(width), self.depth), seconds)
        edge_y = view.screen_y(self.baseline - heights, self.depth).astype(np.float32)
        edge_y = edge_y.reshape(SUBSAMPLES, width)
        top = np.floor(edge_y.min(axis=0)).astype(np.intp)
        first = max(int(top.min()), 0)
        if first >= height:
            return
        inside = np.minimum(np.ceil(edge_y.max(axis=0)).astype(np.intp), top + EDGE_ROWS)
        inside = np.clip(inside, 0, height)
        steps = self.ramp.index(view.world_y(np.arange(first, height), self.depth))
        self._fill(pixels, steps, first, inside)
        self._antialias(frame, steps, first, edge_y, top, inside)
        if self.windows is not None:
            self.windows.draw(pixels, view, self.depth)

    def _fill(self, pixels: np.ndarray, steps: np.ndarray, first: int, inside: np.ndarray) -> None:
        """Fill every pixel at or below each column's ``inside`` row.

        ``steps`` holds the gradient step of every row from ``first`` down.
        """
        start, end = int(inside.min()), int(inside.max())
        fill = self.ramp.rows[steps[start - first :]]
        if end > start:
            rows = np.arange(start, end)[:, None]
            np.copyto(pixels[start:end], fill[: end - start], where=rows >= inside[None, :])
        pixels[end:] = fill[end - start :]

    def _antialias(
        self,
        frame: np.ndarray,
        steps: np.ndarray,
        first: int,
        edge_y: np.ndarray,
        top: np.ndarray,
        inside: np.ndarray,
    ) -> None:
        """Blend the pixels the edge crosses by how much of each the layer covers."""
        rows = top[None, :] + _EDGE_OFFSETS
        cover = rows[:, None, :] + np.float32(1) - edge_y[None, :, :]
        np.clip(cover, 0, 1, out=cover)
        amount = (cover.sum(axis=1) * (256 / SUBSAMPLES)).astype(np.int32)
        pick = (rows < inside[None, :]) & (rows >= first) & (amount > 0)
        r = rows[pick]
        c = np.broadcast_to(np.arange(frame.shape[1]), rows.shape)[pick]
        colours = self.ramp.edge[steps[r - first]]
        old = frame[r, c].astype(np.int32)
        frame[r, c] = old + (((colours - old) * amount[pick][:, None]) >> 8)


@cache
def _subcolumns(width: int) -> np.ndarray:
    """Screen x of the profile samples: SUBSAMPLES evenly inside every column.

    Laid out sample-major (all first samples, then all second ones...), so reductions
    over a column's samples run along contiguous rows.
    """
    offsets = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES
    return (offsets[:, None] + np.arange(width)[None, :]).ravel()
