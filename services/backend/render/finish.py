"""Finishing touches that every frame gets, whichever renderer drew it.

A vignette, the fade from and to black at the scene's ends, the style's letterbox and
the caption are applied to the YUV frame just before it is encoded: a third fewer bytes
than RGB, and the renderer (procedural today, a model tomorrow) needs to know nothing
of them.
"""

from __future__ import annotations

from functools import cache

import av
import numpy as np

from services.backend.render.caption import CaptionOverlay, caption_overlay
from services.backend.render.compiled import compiled
from services.backend.render.encode import plane_rows
from services.backend.render.formats import VideoFormat
from services.backend.render.look import Look
from services.backend.script import Scene

FADE_SECONDS = 0.4
CAPTION_APPEARS = (0.3, 0.85)  # seconds into the scene: starts to show, fully shown
CAPTION_LEAVES = (1.0, 0.45)  # seconds before the end: starts to fade, gone
CINEMA_ASPECT = 2.39
BLACK_Y, NEUTRAL_C = 16, 128


class Finisher:
    """The finishing of one scene's frames."""

    def __init__(self, scene: Scene, fmt: VideoFormat, look: Look) -> None:
        self._fps = fmt.fps
        self._duration = scene.duration
        self._frames = fmt.frame_count(scene.duration)
        self._fade_frames = max(1, round(FADE_SECONDS * fmt.fps))
        self._bars = _letterbox(fmt) if look.letterbox else 0
        luma_gain, chroma_gain = _vignette(fmt, look.vignette)
        self._luma = _Toward(luma_gain, BLACK_Y)
        self._chroma = _Toward(chroma_gain, NEUTRAL_C)
        self._caption = caption_overlay(
            scene.caption, fmt, bottom=self._bars + round(fmt.height * 0.06)
        )

    def grade(self, frame: av.VideoFrame, index: int) -> None:
        """Vignette and fade frame ``index`` in place, and black out the letterbox."""
        level = self._fade_level(index)
        luma, *chroma = (plane_rows(frame, i) for i in range(3))  # padding is never shown
        self._luma.apply(luma, level)
        for plane in chroma:
            self._chroma.apply(plane, level)
        if self._bars:
            for plane, value, bars in (
                (luma, BLACK_Y, self._bars),
                (chroma[0], NEUTRAL_C, self._bars // 2),
                (chroma[1], NEUTRAL_C, self._bars // 2),
            ):
                plane[:bars] = value
                plane[plane.shape[0] - bars :] = value

    def caption(self, frame: av.VideoFrame, index: int) -> None:
        """Blend the caption into frame ``index``, as visible as its timing says."""
        if self._caption is None:
            return
        seconds = (index + 0.5) / self._fps
        appear = _ease((seconds - CAPTION_APPEARS[0]) / (CAPTION_APPEARS[1] - CAPTION_APPEARS[0]))
        remaining = self._duration - seconds
        leave = _ease((remaining - CAPTION_LEAVES[1]) / (CAPTION_LEAVES[0] - CAPTION_LEAVES[1]))
        opacity = round(256 * min(appear, leave))
        if opacity > 0:
            _blend(frame, self._caption, opacity)

    def _fade_level(self, index: int) -> int:
        """How much of the picture shows at frame ``index``: 0 (black) .. 256."""
        edge = min(index + 0.5, self._frames - index - 0.5) / self._fade_frames
        return round(256 * _ease(edge))


class _Toward:
    """Moves planes toward ``centre`` by a ``gain`` map (256 keeps a sample) times a level.

    At the full level a row leaves out its middle run of columns, where the gain keeps
    every sample: most frames touch only the darkened part of a plane.
    """

    def __init__(self, gain: np.ndarray, centre: int) -> None:
        self._gain = gain
        self._centre = centre
        self._kept = _kept_columns(gain)

    def apply(self, rows: np.ndarray, level: int) -> None:
        """Move a plane (its ``rows``, padding included) in place, at ``level`` (256 full)
        of the gain."""
        _move_toward(rows, self._gain, self._kept, level, self._centre)


def _kept_columns(gain: np.ndarray) -> np.ndarray:
    """Per row, the start and end of the run of columns in the middle where ``gain`` keeps
    every sample, or (width, width) where there is no such single run."""
    width = gain.shape[1]
    kept = gain == 256
    start = np.argmax(kept, axis=1)
    end = width - np.argmax(kept[:, ::-1], axis=1)
    single_run = kept.any(axis=1) & (kept.sum(axis=1) == end - start)
    return np.ascontiguousarray(
        np.where(single_run[:, None], np.stack([start, end], axis=1), width), dtype=np.intp)


@compiled("void(uint8[:, ::1], uint16[:, ::1], intp[:, ::1], int64, int64)")
def _move_toward(rows: np.ndarray, gain: np.ndarray, kept: np.ndarray, level: int,
                 centre: int) -> None:
    """Move each sample of a plane (its ``rows``, padding included) toward ``centre`` by its
    ``gain`` times ``level``/256: ``(sample - centre) * gain + centre * 256``, in 256ths,
    rounded down."""
    width = gain.shape[1]
    for row in range(gain.shape[0]):
        samples, gains = rows[row], gain[row]
        if level < 256:
            for column in range(width):
                amount = (np.int32(gains[column]) * level) >> 8
                samples[column] = (
                    (np.int32(samples[column]) - centre) * amount + centre * 256) >> 8
            continue
        for column in range(kept[row, 0]):  # left of the kept run, then right of it
            samples[column] = (
                (np.int32(samples[column]) - centre) * gains[column] + centre * 256) >> 8
        for column in range(kept[row, 1], width):
            samples[column] = (
                (np.int32(samples[column]) - centre) * gains[column] + centre * 256) >> 8


def _blend(frame: av.VideoFrame, overlay: CaptionOverlay, opacity: int) -> None:
    """Blend ``overlay`` into the frame's planes at ``opacity`` (0..256)."""
    for index, values, alpha, scale in (
        (0, overlay.y, overlay.alpha, 1),
        (1, overlay.u, overlay.alpha_chroma, 2),
        (2, overlay.v, overlay.alpha_chroma, 2),
    ):
        _blend_overlay(plane_rows(frame, index), overlay.top // scale, overlay.left // scale,
                       values, alpha, opacity)


@compiled("void(uint8[:, ::1], int64, int64, int32[:, ::1], int32[:, ::1], int64)")
def _blend_overlay(rows: np.ndarray, top: int, left: int, values: np.ndarray,
                   alpha: np.ndarray, opacity: int) -> None:
    """Move the plane's samples (its ``rows``) from (``top``, ``left``) toward ``values`` by
    ``alpha`` times ``opacity``, both in 256ths."""
    for row in range(values.shape[0]):
        samples = rows[top + row]
        for column in range(values.shape[1]):
            amount = (alpha[row, column] * opacity) >> 8
            old = np.int32(samples[left + column])
            samples[left + column] = old + (((values[row, column] - old) * amount) >> 8)


@cache
def _vignette(fmt: VideoFormat, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """Brightness per luma and per chroma sample (0..256): full in the middle, ``1 -
    strength`` in the corners. Cached: every scene of a process shares them, read-only."""
    y = (np.arange(fmt.height, dtype=np.float32) + 0.5) / fmt.height * 2 - 1
    x = (np.arange(fmt.width, dtype=np.float32) + 0.5) / fmt.width * 2 - 1
    radius = np.sqrt(x[None, :] ** 2 + y[:, None] ** 2) / np.sqrt(2)
    ramp = np.clip((radius - 0.35) / 0.65, 0, 1)
    gain = 1 - strength * ramp * ramp * (3 - 2 * ramp)
    chroma = gain.reshape(fmt.height // 2, 2, fmt.width // 2, 2).mean(axis=(1, 3))
    return np.round(gain * 256).astype(np.uint16), np.round(chroma * 256).astype(np.uint16)


def _letterbox(fmt: VideoFormat) -> int:
    """Height of each black bar: to a 2.39:1 picture, or thin bars on tall frames."""
    wide = (fmt.height - fmt.width / CINEMA_ASPECT) / 2
    bars = wide if fmt.width > fmt.height else fmt.height * 0.07
    return int(bars) // 2 * 2


def _ease(value: float) -> float:
    """Smoothstep of ``value`` clipped to 0..1."""
    t = min(max(value, 0.0), 1.0)
    return t * t * (3 - 2 * t)
