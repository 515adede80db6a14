"""The camera of a shot: how it pans, climbs and zooms over the scene's seconds.

Layers sit at a depth between 0 (infinitely far, the sky) and 1 (the nearest layer);
the camera moves each by its depth, which is the whole parallax effect. Zoom is centred
on the horizon so the horizon stays put while the land grows or shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.backend.render.formats import VideoFormat


@dataclass(frozen=True)
class View:
    """Where the camera is at one instant: a projection from the world onto the frame."""

    x: float  # pan, pixels at depth 1
    y: float  # climb, pixels at depth 1 (near layers sink as it climbs)
    zoom: float
    width: int
    horizon_y: float  # the horizon's row, also the zoom centre's

    def world_x(self, screen_x: np.ndarray, depth: float) -> np.ndarray:
        """World x seen at ``screen_x`` on a layer at ``depth``."""
        half = self.width / 2
        return (screen_x - half) / self.zoom + half + self.x * depth

    def screen_x(self, world_x: np.ndarray, depth: float) -> np.ndarray:
        """Frame column of ``world_x`` on a layer at ``depth``."""
        half = self.width / 2
        return (world_x - self.x * depth - half) * self.zoom + half

    def screen_y(self, world_y: np.ndarray, depth: float) -> np.ndarray:
        """Frame row of ``world_y`` on a layer at ``depth``."""
        return (world_y + self.y * depth - self.horizon_y) * self.zoom + self.horizon_y

    def world_y(self, screen_y: np.ndarray, depth: float) -> np.ndarray:
        """World y seen at ``screen_y`` on a layer at ``depth``."""
        return (screen_y - self.horizon_y) / self.zoom + self.horizon_y - self.y * depth


@dataclass(frozen=True)
class Camera:
    """A shot's camera move, in pixels per second at depth 1."""

    horizon: float  # the horizon as a fraction of the frame height
    pan: float
    climb: float
    zoom_from: float
    zoom_to: float
    duration: float
    fmt: VideoFormat

    @property
    def horizon_y(self) -> float:
        return self.horizon * self.fmt.height

    def at(self, seconds: float) -> View:
        """The view ``seconds`` into the shot; the zoom eases in and out."""
        progress = min(max(seconds / self.duration, 0.0), 1.0)
        eased = progress * progress * (3 - 2 * progress)
        return View(
            x=self.pan * seconds,
            y=self.climb * seconds,
            zoom=self.zoom_from + (self.zoom_to - self.zoom_from) * eased,
            width=self.fmt.width,
            horizon_y=self.horizon_y,
        )

    def pan_extent(self) -> tuple[float, float]:
        """The lowest and highest pan of the shot, to size panoramas."""
        end = self.pan * self.duration
        return min(0.0, end), max(0.0, end)


# Per shot: horizon, pan speed, climb speed, zoom at the start and at the end.
_SHOTS: dict[str, tuple[float, float, float, float, float]] = {
    "establishing": (0.60, 22.0, 0.0, 1.0, 1.07),
    "detail": (0.55, 14.0, 0.0, 1.22, 1.3),
    "tracking": (0.60, 120.0, 0.0, 1.08, 1.08),
    "crane": (0.62, 10.0, 18.0, 1.04, 1.04),
    "closing": (0.62, 16.0, 0.0, 1.12, 1.0),
}


def camera_for(shot: str, number: int, duration: float, fmt: VideoFormat, scale: float) -> Camera:
    """The camera of a ``shot``; successive scenes pan in alternate directions.

    ``scale`` converts the table's speeds (made for 1280x720) to this frame size.
    """
    horizon, pan, climb, zoom_from, zoom_to = _SHOTS.get(shot, _SHOTS["establishing"])
    direction = 1.0 if number % 2 else -1.0
    return Camera(
        horizon=horizon,
        pan=pan * scale * direction,
        climb=climb * scale,
        zoom_from=zoom_from,
        zoom_to=zoom_to,
        duration=duration,
        fmt=fmt,
    )
