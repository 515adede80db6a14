"""Frame sizes and rate of the videos, one per aspect ratio of the contract."""

from __future__ import annotations

from dataclasses import dataclass

FPS = 24
_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (1280, 720),
    "9:16": (720, 1280),
    "1:1": (720, 720),
}


@dataclass(frozen=True)
class VideoFormat:
    """Pixel size and frame rate of every clip of a video (even sizes, as yuv420p needs)."""

    width: int
    height: int
    fps: int

    def frame_count(self, seconds: float) -> int:
        """How many frames ``seconds`` of video hold."""
        return round(seconds * self.fps)


def video_format(aspect_ratio: str) -> VideoFormat:
    """The format for a contract aspect ratio ("16:9", "9:16" or "1:1")."""
    try:
        width, height = _SIZES[aspect_ratio]
    except KeyError:
        expected = ", ".join(_SIZES)
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}; expected {expected}") from None
    return VideoFormat(width=width, height=height, fps=FPS)
