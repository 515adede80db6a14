"""Silhouette layers: the land of a scene as height profiles, drawn fast and antialiased.

A layer is a profile (height above a baseline along the world's x axis) filled with a
vertical gradient. Drawing it costs little per frame: the profile is sampled four times
per column, everything below the edge is copied as whole rows of a precomputed gradient
(a masked copy of 3-byte pixels, no per-channel work), and only the few pixels the edge
crosses are blended, by how much of each the layer covers. Rows that nearer layers cover
in every column are left out: the frame is the same, painted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from services.backend.render.camera import View
from services.backend.render.shapes import STEP

PIXEL = np.dtype("V3")  # one painted pixel as a single element: masks then copy pixels, not bytes
SUBSAMPLES = 4  # profile samples per column, for antialiased edges
EDGE_ROWS = 5  # rows per column blended along an edge; steeper edges get a hard step below
_EDGE_OFFSETS = np.arange(EDGE_ROWS)[:, None]
_COVER_BASE = (_EDGE_OFFSETS + 1).astype(np.float32)[:, :, None]  # a pixel's bottom, from the top
RAMP_STEPS = 128


def pixel_view(frame: np.ndarray) -> np.ndarray:
    """``frame`` (HxWx3 uint8, contiguous) seen as HxW whole pixels, sharing its memory."""
    return frame.view(PIXEL).reshape(frame.shape[:2])


class Profile:
    """Heights above a baseline at world x ``start``, ``start + STEP``, ..., in pixels at
    zoom 1. The samples are evenly spaced, so finding where a world x falls between them is
    arithmetic, not a search."""

    def __init__(
        self, start: float, heights: np.ndarray, *, periodic: bool = False, drift: float = 0.0
    ) -> None:
        """``periodic`` shapes repeat after their last sample (endless waves); ``drift`` is
        how many pixels a second the shape itself travels (rolling waves)."""
        self.start, self.periodic, self.drift = start, periodic, drift
        self._count = len(heights)
        after = heights[0] if periodic else heights[-1]  # what follows the last sample
        self._heights = np.append(heights, after).astype(np.float64)

    def at(self, world_x: np.ndarray, seconds: float) -> np.ndarray:
        """The heights at ``world_x``, ``seconds`` into the scene; beyond its ends a profile
        keeps its end heights, or repeats if periodic."""
        position = world_x - (self.drift * seconds + self.start)
        position /= STEP
        if self.periodic:
            np.mod(position, self._count, out=position)
        np.clip(position, 0, self._count - (0 if self.periodic else 1), out=position)
        index = position.astype(np.intp)
        position -= index
        low = self._heights[index]
        rise = self._heights[index + 1]
        rise -= low
        rise *= position
        rise += low
        return rise


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
        """``stops`` are (world y, painted colour) pairs, top first."""
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
    colours: np.ndarray  # whole pixels (PIXEL), graded and painted
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
class Edge:
    """Where a layer's edge crosses the frame at one instant (``Silhouette.edge``)."""

    first: int  # the first row the layer reaches, at least 0
    rows: np.ndarray  # (SUBSAMPLES, width) float32: the edge's row at each profile sample
    top: np.ndarray  # per column, the row the edge starts in
    inside: np.ndarray  # per column, the first row wholly inside the layer


@dataclass(frozen=True)
class Silhouette:
    """One layer of land: a profile standing on a baseline at a depth, filled by a ramp."""

    depth: float
    baseline: float  # world y of height 0
    profile: Profile
    ramp: Ramp
    windows: Windows | None = None

    def edge(self, view: View, seconds: float, height: int) -> Edge:
        """The layer's edge in a frame ``height`` rows tall, as ``view`` sees it."""
        width = view.width
        heights = self.profile.at(view.world_x(_subcolumns(width), self.depth), seconds)
        rows = view.screen_y(self.baseline - heights, self.depth).astype(np.float32)
        rows = rows.reshape(SUBSAMPLES, width)
        top = np.floor(rows.min(axis=0)).astype(np.intp)
        inside = np.minimum(np.ceil(rows.max(axis=0)).astype(np.intp), top + EDGE_ROWS)
        return Edge(max(int(top.min()), 0), rows, top, np.clip(inside, 0, height))

    def draw(
        self, frame: np.ndarray, pixels: np.ndarray, view: View, edge: Edge, hidden: np.ndarray
    ) -> None:
        """Draw the layer over ``frame`` (``pixels`` is its ``pixel_view``).

        ``hidden`` is, per column, the row from which nearer layers cover this one: what
        lies there is never drawn, since they will paint over it anyway.
        """
        bottom = int(hidden.max())
        if edge.first >= bottom:
            return
        steps = self.ramp.index(view.world_y(np.arange(edge.first, bottom), self.depth))
        self._fill(pixels, steps, edge, bottom)
        self._antialias(frame, steps, edge, hidden)
        if self.windows is not None:
            self.windows.draw(pixels, view, self.depth)

    def _fill(self, pixels: np.ndarray, steps: np.ndarray, edge: Edge, bottom: int) -> None:
        """Fill every pixel at or below each column's ``inside`` row, down to ``bottom``.

        ``steps`` holds the gradient step of every row from ``edge.first`` down. Rows that
        the edge crosses in some columns only are a masked copy; the rest are whole rows.
        """
        start, end = int(edge.inside.min()), min(int(edge.inside.max()), bottom)
        if start >= bottom:
            return
        fill = self.ramp.rows[steps[start - edge.first :]]
        if end > start:
            rows = np.arange(start, end, dtype=np.int16)[:, None]  # narrow: a faster mask
            below = rows >= edge.inside.astype(np.int16)[None, :]
            np.copyto(pixels[start:end], fill[: end - start], where=below)
        pixels[end:bottom] = fill[end - start :]

    def _antialias(
        self, frame: np.ndarray, steps: np.ndarray, edge: Edge, hidden: np.ndarray
    ) -> None:
        """Blend the visible pixels the edge crosses by how much of each the layer covers.

        Worked in float32 from each column's top row: a sample's cover of a pixel, between 0
        and 1, is a difference of nearby values, exact in float32 as it is in float64.
        """
        below_top = edge.rows - edge.top.astype(np.float32)
        cover = _COVER_BASE - below_top[None, :, :]
        np.clip(cover, 0, 1, out=cover)
        amount = cover.sum(axis=1)
        amount *= 256 / SUBSAMPLES
        rows = edge.top[None, :] + _EDGE_OFFSETS
        pick = (rows < edge.inside) & (rows >= edge.first) & (rows < hidden) & (amount >= 1)
        offsets, columns = np.nonzero(pick)
        r = edge.top[columns] + offsets
        colours = np.take(self.ramp.edge, steps[r - edge.first], axis=0)
        weights = amount[offsets, columns].astype(np.int32)[:, None]
        blend(frame, r * frame.shape[1] + columns, colours, weights)


def blend(frame: np.ndarray, at: np.ndarray, colours: np.ndarray, amount: np.ndarray) -> None:
    """Move the pixels of ``frame`` at flat indices ``at`` toward ``colours`` by ``amount``
    (0..256 each); where ``at`` repeats a pixel, the last blend wins.

    Whole pixels at flat indices are the cheapest to gather and scatter.
    """
    pixels = pixel_view(frame).reshape(-1)
    old = np.take(pixels, at).view(np.uint8).reshape(-1, 3).astype(np.int32)
    new = (old + (((colours - old) * amount) >> 8)).astype(np.uint8)
    pixels[at] = new.view(PIXEL).reshape(-1)


@cache
def _subcolumns(width: int) -> np.ndarray:
    """Screen x of the profile samples: SUBSAMPLES evenly inside every column.

    Laid out sample-major (all first samples, then all second ones...), so reductions
    over a column's samples run along contiguous rows.
    """
    offsets = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES
    return (offsets[:, None] + np.arange(width)[None, :]).ravel()
