"""The on-screen caption: text set once per scene with Pillow, kept as a YUV overlay.

The font is DejaVu Sans where Debian has put it (``fonts-dejavu-core``, which fontconfig
and so Chromium bring in): it draws Greek, Cyrillic, Hebrew and Arabic (set right to left, by
Pillow's raqm layout) and typographic punctuation. Elsewhere, Pillow's bundled scalable font,
which has Latin letters only. The text is wrapped to the frame, given a soft shadow for
legibility on any sky, and converted to the encoder's YUV so that each frame blends only the
caption's small rectangle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from services.backend.render.encode import yuv_of
from services.backend.render.formats import VideoFormat

MAX_LINES = 3
FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TEXT_COLOUR = (250, 247, 240)


@dataclass(frozen=True)
class CaptionOverlay:
    """A caption ready to blend into YUV 4:2:0 frames at (left, top), both even."""

    left: int
    top: int
    y: np.ndarray  # (h, w) int32 luma
    u: np.ndarray  # (h/2, w/2) int32 chroma
    v: np.ndarray
    alpha: np.ndarray  # (h, w) int32, 0..256
    alpha_chroma: np.ndarray  # (h/2, w/2) int32, 0..256


@cache
def caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The caption's font at ``size`` pixels (see the module's docstring for which)."""
    if FONT_FILE.is_file():
        return ImageFont.truetype(FONT_FILE, size)
    return ImageFont.load_default(size=size)


def caption_overlay(text: str, fmt: VideoFormat, *, bottom: int) -> CaptionOverlay | None:
    """``text`` set for ``fmt``, centred, its last line ending ``bottom`` pixels from the
    frame's bottom edge; None for empty text."""
    text = " ".join(text.split())
    if not text:
        return None
    size = round(min(fmt.width, fmt.height) * 0.05)
    font = caption_font(size)
    lines = _wrap(text, font, fmt.width * 0.84)
    spacing = round(size * 0.3)
    pad = round(size * 0.6)
    box = ImageDraw.Draw(Image.new("L", (1, 1))).multiline_textbbox(
        (0, 0), "\n".join(lines), font=font, spacing=spacing, align="center"
    )
    width = _even(min(box[2] - box[0] + 2 * pad, fmt.width))
    height = _even(min(box[3] - box[1] + 2 * pad, fmt.height))
    origin = ((width - (box[2] - box[0])) // 2 - box[0], pad - box[1])

    ink = Image.new("L", (width, height), 0)
    ImageDraw.Draw(ink).multiline_text(
        origin, "\n".join(lines), font=font, fill=255, spacing=spacing, align="center"
    )
    shadow = ink.filter(ImageFilter.GaussianBlur(size * 0.18))
    shadow = Image.eval(shadow, lambda value: min(255, value * 2))
    shift = max(1, round(size * 0.06))
    shadow = shadow.transform(shadow.size, Image.Transform.AFFINE, (1, 0, -shift, 0, 1, -shift))

    text_alpha = np.asarray(ink, dtype=np.float32) / 255
    shadow_alpha = np.asarray(shadow, dtype=np.float32) / 255 * 0.75
    alpha = text_alpha + shadow_alpha * (1 - text_alpha)
    colour = (
        np.array(TEXT_COLOUR, dtype=np.float32) * (text_alpha / np.maximum(alpha, 1e-6))[..., None]
    )
    left = _even((fmt.width - width) // 2)
    top = _even(max(0, fmt.height - bottom - height))
    half_alpha = alpha.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
    half_yuv = yuv_of(colour.reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3)))
    return CaptionOverlay(
        left=left,
        top=top,
        y=np.round(yuv_of(colour)[..., 0]).astype(np.int32),
        u=np.round(half_yuv[..., 1]).astype(np.int32),
        v=np.round(half_yuv[..., 2]).astype(np.int32),
        alpha=np.round(alpha * 256).astype(np.int32),
        alpha_chroma=np.round(half_alpha * 256).astype(np.int32),
    )


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """``text`` in as few lines as fit ``width``, balanced in length; an ellipsis past
    ``MAX_LINES``."""
    lines = _fill(text, font, width)
    narrower = width
    while len(lines) > 1:  # narrow the measure while the line count holds: no lone last word
        narrower *= 0.95
        tighter = _fill(text, font, narrower)
        if len(tighter) > len(lines):
            break
        lines = tighter
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def _fill(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """``text`` broken greedily into lines no wider than ``width`` (long words stay whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _even(value: float) -> int:
    """``value`` rounded down to an even number (4:2:0 chroma covers 2x2 pixels)."""
    return int(value) // 2 * 2
