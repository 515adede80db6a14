"""Frame size and rate of the videos, by aspect ratio and render size."""

from __future__ import annotations

from dataclasses import dataclass

from services.backend.picture_sizes import PICTURE_SIZES, RENDER_SIZES

FPS = 24


@dataclass(frozen=True)
class VideoFormat:
    """Pixel size and frame rate of every clip of a video (even sizes, as yuv420p needs)."""

    width: int
    height: int
    fps: int

    def frame_count(self, seconds: float) -> int:
        """How many frames ``seconds`` of video hold."""
        return round(seconds * self.fps)


def video_format(aspect_ratio: str, size: str = "full") -> VideoFormat:
    """The format for a contract aspect ratio ("16:9", "9:16" or "1:1") at ``size``."""
    if size not in PICTURE_SIZES:
        raise ValueError(f"unknown render size {size!r}; expected {', '.join(RENDER_SIZES)}")
    try:
        width, height = PICTURE_SIZES[size][aspect_ratio]
    except KeyError:
        expected = ", ".join(PICTURE_SIZES["full"])
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}; expected {expected}") from None
    return VideoFormat(width=width, height=height, fps=FPS)
