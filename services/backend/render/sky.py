"""The sky: one graded picture per scene, wider than the frame, that the camera slides over.

Everything far away is baked into it once (gradient, glow, clouds, stars, the sun or the
moon, a planet and nebulae in space), so each frame only copies a window of it. It is
built in floating point and dithered when quantised, so the gradients do not band. It is
only as tall as the land lets the sky show: rows that no frame shows are never built.
"""

from __future__ import annotations

import math

import numpy as np

from services.backend.render.camera import Camera, View
from services.backend.render.look import Look
from services.backend.render.palette import Palette, scaled
from services.backend.render.silhouettes import pixel_view

SKY_DEPTH = 0.04  # how much the sky follows the camera's pan


class Sky:
    """The scene's sky picture, and where its sun (or moon) is."""

    def __init__(
        self,
        palette: Palette,
        look: Look,
        camera: Camera,
        rng: np.random.Generator,
        scale: float,
        *,
        shown: int,
    ) -> None:
        """``shown`` is how many rows of sky any frame of the shot can show at most."""
        width = camera.fmt.width
        # One row more than shown: a bright star's lower half may fall on it.
        height = min(camera.fmt.height, shown + 1)
        low, high = camera.pan_extent()
        self._left = math.floor(low * SKY_DEPTH) - 1
        plate_width = width + math.ceil(high * SKY_DEPTH) - self._left + 2
        horizon = camera.horizon_y
        self.sun = (width * rng.uniform(0.3, 0.72), horizon * (1 - 0.9 * palette.elevation))

        xs = np.arange(plate_width, dtype=np.float32) + self._left
        picture = _glowing(_gradient(palette, height, horizon), palette, xs, self.sun, horizon)
        _clouds(picture, palette, xs, horizon, rng, scale)
        _stars(picture, palette.stars, horizon, rng)
        if palette.light_kind == "sun":
            _sun(picture, palette, xs, self.sun, 30 * scale)
        elif palette.light_kind == "moon":
            _moon(picture, palette, xs, self.sun, 26 * scale, rng)
        elif palette.light_kind == "planet":
            _nebulae(picture, palette, xs, camera.fmt.height, rng, scale)
            _planet(picture, palette, xs, (width * 0.68, horizon * 0.6), 150 * scale, rng)
        picture += rng.uniform(-0.9, 0.9, size=picture.shape[:2])[:, :, None].astype(np.float32)
        # The random stream steps past the dither of the rows left out (a value a step), so
        # the land and the air draw the same numbers whatever the sky's height.
        rng.bit_generator.random_raw((camera.fmt.height - height) * plate_width, output=False)
        plate = look.paint(picture)
        plate += 0.5
        self._plate = pixel_view(plate.astype(np.uint8))

    def draw(self, pixels: np.ndarray, view: View, rows: int) -> None:
        """Fill the top ``rows`` of ``pixels`` (the land hides the rest) with the part of the
        sky the view looks at."""
        width = pixels.shape[1]
        start = round(view.x * SKY_DEPTH) - self._left
        pixels[:rows] = self._plate[:rows, start : start + width]

    def sun_x(self, view: View) -> float:
        """Where the sun (or moon) is across the frame, for effects that follow it."""
        return float(self.sun[0] - view.x * SKY_DEPTH)


def _gradient(palette: Palette, height: int, horizon: float) -> np.ndarray:
    """Sky colours by row: top, middle, horizon, a little darker below the horizon."""
    stops = np.array([0.0, 0.5, 1.0, 1.6], dtype=np.float32) * horizon
    colours = np.array(
        [palette.sky_top, palette.sky_mid, palette.sky_horizon, scaled(palette.sky_horizon, 0.8)],
        dtype=np.float32,
    )
    rows = np.arange(height, dtype=np.float32)
    return np.stack([np.interp(rows, stops, colours[:, c]) for c in range(3)], axis=1).astype(
        np.float32
    )


def _glowing(
    gradient: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    centre: tuple[float, float],
    horizon: float,
) -> np.ndarray:
    """The gradient (a colour per row) spread across the plate, with light pooling around
    the sun (or the moon) and along the horizon below it.

    This is ``_screen`` over the spread gradient, worked out per row where it can be: the
    same values, without a pass over the whole plate for each step.
    """
    strength = {"sun": 0.55, "moon": 0.3, "planet": 0.0, "none": 0.15}[palette.light_kind]
    rows = np.arange(len(gradient), dtype=np.float32)
    across = np.exp(-(((xs - centre[0]) / (0.5 * len(xs))) ** 2))
    band = np.exp(-(((rows - horizon) / (0.45 * horizon)) ** 2))
    around = np.exp(-(((rows - centre[1]) / (0.35 * horizon)) ** 2))
    weight = strength * (0.6 * band + 0.4 * around)[:, None] * across[None, :]
    light = (255 - gradient) * (np.array(palette.glow, dtype=np.float32) / 255)
    picture = light[:, None, :] * weight[..., None]
    picture += gradient[:, None, :]
    return picture


def _clouds(
    picture: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    horizon: float,
    rng: np.random.Generator,
    scale: float,
) -> None:
    """Soft clouds, each a cluster of stretched blobs, lit from below by the glow.

    A cloud lightens the sky behind it toward the glow's colour (more on its underside),
    so it never reads as a dark smudge against a bright horizon.
    """
    light = np.array(palette.glow, dtype=np.float32)
    for _ in range(round(palette.clouds * 9 * picture.shape[1] / 1280)):
        cx, cy = rng.uniform(xs[0], xs[-1]), rng.uniform(0.12, 0.8) * horizon
        stretch = rng.uniform(2.5, 5.0)
        for _ in range(rng.integers(3, 7)):
            sy = rng.uniform(7, 20) * scale
            sx = sy * stretch * rng.uniform(0.8, 1.6)
            centre = (cx + rng.normal(0, 1.5 * sx), cy + rng.normal(0, sy))
            # Beyond 5 sy up or down a blob's density is under e^-25: too little for a
            # float32 sky value to take, so a shorter reach draws the same sky, sooner.
            found = _around(picture, xs, centre, 3 * sx, rise=min(3 * sx, 5 * sy))
            if found is None:
                continue
            region, dx, dy = found
            density = np.exp(-((dx / sx) ** 2) - (dy / sy) ** 2)
            underside = np.clip(dy / (2 * sy) + 0.5, 0, 1)
            _screen(region, light, density * (0.2 + 0.35 * underside))


def _stars(picture: np.ndarray, density: float, horizon: float, rng: np.random.Generator) -> None:
    """Points of light, fewer and fainter toward the horizon; the brightest are two pixels."""
    height, width = picture.shape[:2]
    count = round(density * width * horizon * 0.0012)
    if count == 0:
        return
    ys = rng.uniform(0, horizon, count)
    xs = rng.integers(0, width - 1, count)
    brightness = rng.power(0.35, count) * 220 * np.clip(1.2 - ys / horizon, 0, 1)
    rows = ys.astype(np.intp)
    picture[rows, xs] += brightness[:, None]
    big = brightness > 150
    picture[rows[big], xs[big] + 1] += 0.5 * brightness[big, None]
    picture[np.minimum(rows[big] + 1, height - 1), xs[big]] += 0.5 * brightness[big, None]


def _sun(
    picture: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    centre: tuple[float, float],
    radius: float,
) -> None:
    """A bright disc with a warm halo."""
    found = _around(picture, xs, centre, 8 * radius)
    if found is None:
        return
    region, dx, dy = found
    d = np.hypot(dx, dy)
    disc = np.clip(radius + 0.5 - d, 0, 1)
    halo = 0.55 * np.exp(-np.maximum(d - radius, 0) / (1.2 * radius))
    _screen(region, np.array(palette.light, dtype=np.float32), np.maximum(disc, halo))


def _moon(
    picture: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    rng: np.random.Generator,
) -> None:
    """A pale disc with faint darker seas and a cool halo."""
    found = _around(picture, xs, centre, 6 * radius)
    if found is None:
        return
    region, dx, dy = found
    d = np.hypot(dx, dy)
    light = np.array(palette.light, dtype=np.float32)
    _screen(region, light, 0.22 * np.exp(-np.maximum(d - radius, 0) / (1.5 * radius)))
    shade = np.ones_like(d)
    for _ in range(5):
        mx, my = rng.uniform(-0.5, 0.5, 2) * radius
        size = rng.uniform(0.15, 0.35) * radius
        shade -= 0.13 * np.exp(-((dx - mx) ** 2 + (dy - my) ** 2) / size**2)
    disc = np.clip(radius + 0.5 - d, 0, 1)[..., None]
    region += (light * shade[..., None] - region) * disc


def _nebulae(
    picture: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    frame_height: int,
    rng: np.random.Generator,
    scale: float,
) -> None:
    """Clouds of coloured gas across a space sky (``frame_height`` rows tall)."""
    rows = np.arange(picture.shape[0], dtype=np.float32)
    for _ in range(14):
        colour = np.array(palette.accents[rng.integers(len(palette.accents))], dtype=np.float32)
        cx, cy = rng.uniform(xs[0], xs[-1]), rng.uniform(0.1, 0.9) * frame_height
        sx, sy = rng.uniform(120, 320) * scale, rng.uniform(60, 160) * scale
        weight = np.exp(-(((rows - cy) / sy) ** 2))[:, None] * np.exp(-(((xs - cx) / sx) ** 2))
        _screen(picture, colour, rng.uniform(0.12, 0.3) * weight)


def _planet(
    picture: np.ndarray,
    palette: Palette,
    xs: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    rng: np.random.Generator,
) -> None:
    """A banded planet lit from one side, with a thin glowing atmosphere."""
    found = _around(picture, xs, centre, 1.3 * radius)
    if found is None:
        return
    region, dx, dy = found
    d = np.hypot(dx, dy)
    nx, ny = dx / radius, dy / radius
    nz = np.sqrt(np.clip(1 - nx**2 - ny**2, 0, 1))
    light = np.clip(-0.6 * nx - 0.35 * ny + 0.7 * nz, 0, 1) ** 0.8
    bands = (0.5 + 0.5 * np.sin(ny * rng.uniform(9, 15) + 0.8 * np.sin(nx * 3 + ny * 7)))[..., None]
    base = np.array(palette.accents[1], dtype=np.float32)
    stripe = np.array(palette.accents[3], dtype=np.float32)
    colour = (base * (1 - 0.5 * bands) + stripe * 0.5 * bands) * (0.08 + 0.92 * light[..., None])
    region += (colour - region) * np.clip(radius + 0.5 - d, 0, 1)[..., None]
    atmosphere = np.exp(-(((d - radius) / (0.05 * radius)) ** 2)) * (0.3 + 0.7 * light)
    _screen(region, np.minimum(base * 1.3, 255), 0.8 * atmosphere)


def _around(
    picture: np.ndarray,
    xs: np.ndarray,
    centre: tuple[float, float],
    reach: float,
    *,
    rise: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The part of ``picture`` within ``reach`` of ``centre`` (``rise`` up and down, if
    given), with each pixel's offset.

    Returns the region (a view to draw into) and the x and y offsets of its pixels from
    ``centre``, or None when the region is off the picture.
    """
    x0 = max(0, int(centre[0] - reach - xs[0]))
    x1 = min(len(xs), int(centre[0] + reach - xs[0]) + 1)
    rise = reach if rise is None else rise
    y0 = max(0, int(centre[1] - rise))
    y1 = min(picture.shape[0], int(centre[1] + rise) + 1)
    if x0 >= x1 or y0 >= y1:
        return None
    dx, dy = np.meshgrid(xs[x0:x1] - centre[0], np.arange(y0, y1, dtype=np.float32) - centre[1])
    return picture[y0:y1, x0:x1], dx, dy


def _screen(picture: np.ndarray, colour: np.ndarray, weight: np.ndarray) -> None:
    """Lighten ``picture`` toward ``colour`` as light adds up on film (a screen blend).

    Screen is ``255 - (255 - p)(255 - c) / 255``, which is ``p + (255 - p) c / 255``.
    """
    light = 255 - picture
    light *= np.asarray(colour, dtype=np.float32) / 255
    light *= weight[..., None]
    picture += light
