"""The shapes of land layers: heights (pixels above the baseline) along world ``xs``.

Each shape is made from a few random numbers: mountain ridges, a forest of spruces, a line of
broadleaf trees, a skyline, dunes, endlessly rolling swell. ``xs`` are evenly spaced ``STEP``
apart, so a shape can find a world x in them by arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

STEP = 0.5  # world pixels between profile samples: half-pixel detail for tree tips and roofs


def _rolling(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Gentle hills: a few octaves of waves, rescaled to 0..size."""
    heights = np.zeros_like(xs)
    for octave in range(4):
        wavelength = spacing / 2**octave * rng.uniform(0.8, 1.25)
        heights += 0.5**octave * np.sin(2 * np.pi * xs / wavelength + rng.uniform(0, 2 * np.pi))
    return _normalised(heights) * size


def _islands(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Hills that mostly sink below the horizon, leaving a few islands."""
    return np.clip(_rolling(rng, xs, size * 2.2, spacing) - size * 1.2, 0, None)


def _ridges(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Mountains: peaks with straight flanks, smaller peaks on them, and jagged detail."""
    heights = np.zeros_like(xs)
    for level, (tall, apart) in enumerate(((1.0, 1.0), (0.45, 0.35))):
        centres = np.arange(xs[0] - spacing, xs[-1] + spacing, spacing * apart)
        centres = centres + rng.uniform(-0.4, 0.4, len(centres)) * spacing * apart
        peaks = size * tall * rng.uniform(0.45, 1.0, len(centres))
        slopes = peaks / (spacing * apart * rng.uniform(0.5, 0.9, len(centres)))
        for centre, peak, slope in zip(centres, peaks, slopes, strict=True):
            near = np.abs(xs - centre)
            heights = np.maximum(heights, peak - near * slope * (1 + 0.3 * level))
    jag = _rolling(rng, xs, size * 0.08, spacing * 0.12)
    return np.clip(heights + jag - size * 0.04, 0, None)


def _mesas(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Desert buttes: the tops of steep ridges, standing apart and cut flat."""
    heights = np.clip(_ridges(rng, xs, size * 2.4, spacing) - size * 1.1, 0, None)
    return np.minimum(heights, size * rng.uniform(0.6, 0.8))


def _dunes(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Dunes: waves with a gentle windward side and a steep slip face."""
    heights = np.zeros_like(xs)
    for octave in range(2):
        phase = 2 * np.pi * xs / (spacing / 2.3**octave) + rng.uniform(0, 2 * np.pi)
        heights += 0.4**octave * np.sin(phase + 0.75 * np.sin(phase))
    return _normalised(heights) * size


def _swell(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """Sea swell that repeats over ``xs`` (it rolls endlessly): sharp crests, flat troughs."""
    length = len(xs) * STEP
    heights = np.zeros_like(xs)
    base = max(1, round(length / spacing))
    for harmonic, weight in ((1, 1.0), (2, 0.5), (3, 0.3), (5, 0.2)):
        cycles = base * harmonic + int(rng.integers(0, 2))
        heights += weight * np.sin(2 * np.pi * cycles * (xs - xs[0]) / length + rng.uniform(0, 7))
    return _normalised(heights) ** 1.4 * size


def _flat(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """A level surface: the sea's face, a street."""
    return np.zeros_like(xs)


def _conifers(rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float) -> np.ndarray:
    """A forest of spruces on low ground.

    Each tree is a narrow cone with small teeth along its sides, bigger toward the
    ground, and not quite the same on the left and the right: boughs seen from afar.
    """
    ground = _rolling(rng, xs, size * 0.12, spacing * 30)
    heights = ground.copy()
    x = float(xs[0]) - spacing
    while x < xs[-1] + spacing:
        tall = size * rng.uniform(0.55, 1.05)
        half = tall * rng.uniform(0.22, 0.28)
        lo, hi = _index(xs, x - half), _index(xs, x + half)
        if hi > lo:
            offset = xs[lo:hi] - x
            reach = np.minimum(np.abs(offset) / half, 1.0)
            teeth = rng.uniform(7, 10)
            bough = teeth * reach**0.75 + np.where(offset < 0, rng.uniform(0, 1), 0.0)
            step = 1 - (bough - np.floor(bough))
            notch = 0.5 * tall / teeth * (0.5 + reach)
            tree = tall * (1 - reach) - notch * step * (reach > 0.06)  # a clean tip
            foot = ground[min((lo + hi) // 2, len(xs) - 1)]
            heights[lo:hi] = np.maximum(heights[lo:hi], foot + np.maximum(tree, 0))
        x += spacing * rng.uniform(0.5, 1.4)
    return heights


def _roundtrees(
    rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float
) -> np.ndarray:
    """A line of broadleaf trees: domed crowns overlapping into a bumpy canopy."""
    ground = _rolling(rng, xs, size * 0.25, spacing * 8)
    heights = ground.copy()
    x = float(xs[0])
    while x < xs[-1]:
        radius = size * rng.uniform(0.3, 0.55)
        tall = radius * rng.uniform(1.1, 1.8)
        foot = ground[min(_index(xs, x), len(xs) - 1)]
        lo, hi = _index(xs, x - radius), _index(xs, x + radius)
        if hi > lo:
            across = np.clip(1 - ((xs[lo:hi] - x) / radius) ** 2, 0, None)
            heights[lo:hi] = np.maximum(heights[lo:hi], foot + tall * np.sqrt(across))
        x += radius * rng.uniform(0.7, 1.5) + (spacing if rng.random() < 0.15 else 0.0)
    return heights


def skyline(
    rng: np.random.Generator, xs: np.ndarray, size: float, spacing: float
) -> tuple[np.ndarray, list[tuple[float, float, float]]]:
    """Buildings side by side, some with setbacks or masts; also their (left, width, height)."""
    heights = np.zeros_like(xs)
    rects: list[tuple[float, float, float]] = []
    x = float(xs[0])
    while x < xs[-1]:
        wide = spacing * rng.uniform(0.5, 1.3)
        tall = size * rng.uniform(0.3, 1.0) * (1.4 if rng.random() < 0.12 else 1.0)
        lo, hi = _index(xs, x), _index(xs, x + wide)
        heights[lo:hi] = tall
        rects.append((x, wide, tall))
        if rng.random() < 0.3:
            inset = wide * rng.uniform(0.15, 0.3)
            heights[_index(xs, x + inset) : _index(xs, x + wide - inset)] = tall * 1.12
        if rng.random() < 0.2:
            mast = x + wide * rng.uniform(0.3, 0.7)
            heights[_index(xs, mast) : _index(xs, mast + 2.5)] = tall * rng.uniform(1.2, 1.35)
        x += wide + (rng.uniform(2, 12) if rng.random() < 0.3 else 0.0)
    return heights, rects


def _normalised(values: np.ndarray) -> np.ndarray:
    """``values`` rescaled to 0..1."""
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def _index(xs: np.ndarray, x: float) -> int:
    """Index of world ``x`` in the evenly spaced ``xs``, clamped to the array's ends."""
    return max(0, min(len(xs), int((x - float(xs[0])) / STEP)))


Shape = Callable[[np.random.Generator, np.ndarray, float, float], np.ndarray]
SHAPES: dict[str, Shape] = {
    "rolling": _rolling,
    "islands": _islands,
    "ridges": _ridges,
    "mesas": _mesas,
    "dunes": _dunes,
    "swell": _swell,
    "flat": _flat,
    "conifers": _conifers,
    "roundtrees": _roundtrees,
}
