"""The style of a video: a colour grade and a frame treatment, picked from free text.

The grade is applied once per scene to the precomputed pictures (sky, fills, sprites,
particle colours), never per frame, so a style costs nothing while encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from services.backend.render.encode import yuv_of

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class Look:
    """How a style colours and frames the picture."""

    name: str
    saturation: float = 1.0  # 0 is grey, 1 untouched
    contrast: float = 1.0  # around mid grey
    lift: float = 0.0  # added to the blacks, 0..255
    shadow_tint: tuple[float, float, float] = (0.0, 0.0, 0.0)  # added where the picture is dark
    highlight_tint: tuple[float, float, float] = (0.0, 0.0, 0.0)  # added where it is bright
    vignette: float = 0.35  # how much the corners darken, 0..1
    letterbox: bool = False  # black bars to a 2.39:1 picture

    def paint(self, rgb: ArrayLike) -> np.ndarray:
        """``rgb`` (any shape ending in 3, values 0..255) graded and in the colours frames
        are painted in, the encoder's YUV (``encode.yuv_of``), float32."""
        return yuv_of(self._graded(rgb))

    def _graded(self, rgb: ArrayLike) -> np.ndarray:
        """``rgb`` graded, float32 in 0..255.

        Worked in place on one copy: a scene's sky is millions of values.
        """
        colour: np.ndarray = np.array(rgb, dtype=np.float32)
        luma = (colour @ LUMA)[..., None]
        colour -= luma
        colour *= self.saturation
        colour += luma
        level = np.clip(luma / 255, 0, 1)
        if any(self.shadow_tint):
            colour += (1 - level) ** 2 * np.array(self.shadow_tint, dtype=np.float32)
        if any(self.highlight_tint):
            colour += level**2 * np.array(self.highlight_tint, dtype=np.float32)
        colour -= 128
        colour *= self.contrast
        colour += 128
        colour *= 1 - self.lift / 255
        colour += self.lift
        return np.clip(colour, 0, 255, out=colour)


LOOKS: dict[str, Look] = {
    "default": Look("default", saturation=1.06, contrast=1.03),
    "cinematic": Look(
        "cinematic",
        saturation=1.05,
        contrast=1.1,
        shadow_tint=(-14.0, 8.0, 16.0),
        highlight_tint=(22.0, 6.0, -18.0),
        vignette=0.45,
        letterbox=True,
    ),
    "noir": Look("noir", saturation=0.0, contrast=1.45, vignette=0.6),
    "vivid": Look("vivid", saturation=1.5, contrast=1.08, vignette=0.25),
    "vintage": Look(
        "vintage",
        saturation=0.7,
        contrast=0.92,
        lift=22.0,
        shadow_tint=(6.0, 2.0, -6.0),
        highlight_tint=(14.0, 6.0, -16.0),
        vignette=0.5,
    ),
}

# Words (or phrases) of the free-text style that pick a look; the first look that matches wins.
_STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "noir": ("noir", "black and white", "b&w", "monochrome", "grayscale", "greyscale"),
    "cinematic": ("cinematic", "cinema", "film", "movie", "epic", "dramatic"),
    "vivid": ("anime", "cartoon", "vivid", "colorful", "colourful", "vibrant", "pop", "animated"),
    "vintage": ("vintage", "retro", "sepia", "nostalgic", "old", "polaroid"),
}


def look_for(style: str) -> Look:
    """The look that the free-text ``style`` asks for, or the default one."""
    padded = " " + " ".join(re.findall(r"[a-z&]+", style.lower())) + " "
    for name, words in _STYLE_WORDS.items():
        if any(f" {word} " in padded for word in words):
            return LOOKS[name]
    return LOOKS["default"]
