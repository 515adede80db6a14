"""The still that stands for a scene in the dashboard while the video is being made."""

from __future__ import annotations

from pathlib import Path

import av
from av.video.reformatter import ColorRange, Colorspace

THUMBNAIL_WIDTH = 320
JPEG_QUALITY = 85


def save_thumbnail(frame: av.VideoFrame, path: Path) -> None:
    """Save ``frame`` (an encoder-ready YUV frame) as a JPEG ``THUMBNAIL_WIDTH`` pixels wide."""
    height = round(THUMBNAIL_WIDTH * frame.height / frame.width) // 2 * 2
    small = frame.reformat(
        width=THUMBNAIL_WIDTH,
        height=height,
        format="rgb24",
        src_colorspace=Colorspace.ITU709,
        src_color_range=ColorRange.MPEG,
        interpolation="AREA",
    )
    small.to_image().save(path, format="JPEG", quality=JPEG_QUALITY)
