"""Silhouette layers: the land of a scene as height profiles, drawn fast and antialiased.

A layer is a profile (height above a baseline along the world's x axis) filled with a
vertical gradient. Drawing it costs little per frame: the profile is sampled four times
per column, everything below the edge takes the gradient's colour of its row, and only the
few pixels the edge crosses are blended, by how much of each the layer covers. What nearer
layers cover is left out: the frame is the same, painted once.

Tracing the edge and painting a layer are loops over columns and rows, compiled by numba
(``_trace_edge``, ``_paint_layer``): numpy would need a pass over whole arrays for each step
of them, and these run for every layer of every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.backend.render.camera import View
from services.backend.render.compiled import compiled
from services.backend.render.shapes import STEP

PIXEL = np.dtype("V3")  # one painted pixel as a single element: masks then copy pixels, not bytes
SUBSAMPLES = 4  # profile samples per column, for antialiased edges
EDGE_ROWS = 5  # rows per column blended along an edge; steeper edges get a hard step below
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
        after = heights[0] if periodic else heights[-1]  # what follows the last sample
        self.heights = np.append(heights, after).astype(np.float64)  # and what follows

    def at(self, world_x: np.ndarray, seconds: float) -> np.ndarray:
        """The heights at ``world_x``, ``seconds`` into the scene; beyond its ends a profile
        keeps its end heights, or repeats if periodic."""
        positions = (np.asarray(world_x, dtype=np.float64) - self.origin(seconds)) / STEP
        return _heights_at(self.heights, self.periodic, positions.ravel()).reshape(
            positions.shape)

    def origin(self, seconds: float) -> float:
        """The world x of the first sample, ``seconds`` into the scene."""
        return self.drift * seconds + self.start


class Ramp:
    """A vertical gradient in ``RAMP_STEPS`` colours, and its edge colours, which lean
    toward the rim light so a silhouette's outline catches the light."""

    def __init__(
        self,
        stops: Sequence[tuple[float, np.ndarray]],
        rim: np.ndarray,
        rim_amount: float,
    ) -> None:
        """``stops`` are (world y, painted colour) pairs, top first."""
        heights = [y for y, _ in stops]
        self._top, self._bottom = heights[0], heights[-1]
        positions = np.linspace(self._top, self._bottom, RAMP_STEPS)
        colours = np.stack(
            [np.interp(positions, heights, [c[i] for _, c in stops]) for i in range(3)], axis=1
        )
        self.colours = np.clip(colours + 0.5, 0, 255).astype(np.uint8)
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
        rows = np.empty((SUBSAMPLES, view.width), dtype=np.float32)
        top = np.empty(view.width, dtype=np.intp)
        inside = np.empty(view.width, dtype=np.intp)
        _trace_edge(self.profile.heights, self.profile.periodic, self.profile.origin(seconds),
                    view.zoom, view.width / 2, view.x * self.depth, view.y * self.depth,
                    view.horizon_y, self.baseline, height, rows, top, inside)
        return Edge(max(int(top.min()), 0), rows, top, inside)

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
        _paint_layer(frame, edge.rows, edge.top, edge.inside, hidden, edge.first, steps,
                     self.ramp.colours, self.ramp.edge)
        if self.windows is not None:
            self.windows.draw(pixels, view, self.depth)


@compiled("float64(float64[::1], boolean, float64)", inline=True)
def _height_at(heights: np.ndarray, periodic: bool, position: float) -> float:
    """The height ``position`` samples along a profile's ``heights`` (see ``Profile``)."""
    count = len(heights) - 1  # the last value is what follows the last sample
    if periodic:
        position %= count
    position = min(max(position, 0.0), count if periodic else count - 1)
    index = min(int(position), count - 1)  # a periodic profile's end is its start again
    low = heights[index]
    return low + (heights[index + 1] - low) * (position - index)


@compiled("float64[::1](float64[::1], boolean, float64[::1])")
def _heights_at(heights: np.ndarray, periodic: bool, positions: np.ndarray) -> np.ndarray:
    """``_height_at`` of every one of ``positions``."""
    found = np.empty(len(positions))
    for index in range(len(positions)):
        found[index] = _height_at(heights, periodic, positions[index])
    return found


@compiled(
    "void(float64[::1], boolean, float64, float64, float64, float64, float64, float64, float64,"
    " int64, float32[:, ::1], intp[::1], intp[::1])"
)
def _trace_edge(heights: np.ndarray, periodic: bool, origin: float, zoom: float, half: float,
                pan: float, climb: float, horizon: float, baseline: float, frame_height: int,
                rows: np.ndarray, top: np.ndarray, inside: np.ndarray) -> None:
    """Fill ``rows`` (the edge's row at ``SUBSAMPLES`` points in each column), ``top`` (the
    row it starts in) and ``inside`` (the first row wholly inside, within the frame).

    ``origin`` is the profile's first world x; ``pan`` and ``climb`` the camera's move at
    this layer's depth: the arithmetic of ``View.world_x`` and ``View.screen_y``.
    """
    for column in range(rows.shape[1]):
        highest, lowest = np.inf, -np.inf
        for sample in range(SUBSAMPLES):
            world_x = (column + (sample + 0.5) / SUBSAMPLES - half) / zoom + half + pan
            height = _height_at(heights, periodic, (world_x - origin) / STEP)
            row = np.float32((baseline - height + climb - horizon) * zoom + horizon)
            rows[sample, column] = row
            highest, lowest = min(highest, float(row)), max(lowest, float(row))
        top[column] = int(np.floor(highest))
        deepest = min(int(np.ceil(lowest)), top[column] + EDGE_ROWS)
        inside[column] = min(max(deepest, 0), frame_height)


@compiled(
    "void(uint8[:, :, ::1], float32[:, ::1], intp[::1], intp[::1], intp[::1], int64, intp[::1],"
    " uint8[:, ::1], int32[:, ::1])"
)
def _paint_layer(frame: np.ndarray, rows: np.ndarray, top: np.ndarray, inside: np.ndarray,
                 hidden: np.ndarray, first: int, steps: np.ndarray, colours: np.ndarray,
                 edge_colours: np.ndarray) -> None:
    """Paint a layer's column by column: the pixels its edge crosses blended toward the
    edge colours by how much of each the layer covers, those below in the gradient's colour
    of their row, down to where nearer layers hide it (``hidden``).

    ``steps`` is the gradient step of every row from ``first`` (the edge's first row in the
    frame). A sample's cover of a pixel, between 0 and 1, is a difference of nearby values,
    exact in float32.
    """
    for column in range(frame.shape[1]):
        start, stop = top[column], hidden[column]
        for row in range(max(start, first), min(inside[column], stop)):
            cover = np.float32(0.0)
            for sample in range(SUBSAMPLES):
                part = np.float32(row + 1 - start) - (rows[sample, column] - np.float32(start))
                cover += min(max(part, np.float32(0.0)), np.float32(1.0))
            amount = int(cover * np.float32(256 / SUBSAMPLES))
            if amount >= 1:
                step = steps[row - first]
                for channel in range(3):
                    old = np.int32(frame[row, column, channel])
                    frame[row, column, channel] = old + (
                        ((edge_colours[step, channel] - old) * amount) >> 8)
        for row in range(inside[column], stop):
            step = steps[row - first]
            for channel in range(3):
                frame[row, column, channel] = colours[step, channel]
