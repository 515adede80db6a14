"""The colours of a scene, from its light (time of day), its place and its motifs.

Every colour here is ungraded; the style's ``Look`` grades them when the pictures are
built. A film's scenes share one palette except for the sun, which moves along the film.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, replace

from services.backend.script import Scene

RGB = tuple[int, int, int]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` toward ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def scaled(colour: RGB, factor: float) -> RGB:
    """``colour`` darkened by ``factor`` (0 is black)."""
    return mix((0, 0, 0), colour, factor)


@dataclass(frozen=True)
class Palette:
    """All the colours a scene is drawn with."""

    sky_top: RGB
    sky_mid: RGB
    sky_horizon: RGB
    glow: RGB  # light pooling around the sun, or a city's glow on the horizon
    light: RGB  # the sun's or the moon's disc
    light_kind: str  # "sun" | "moon" | "planet" (space) | "none" (overcast)
    elevation: float  # of the sun or moon: 0 on the horizon .. 1 at the top of the frame
    terrain: tuple[RGB, RGB]  # ground, hills, buildings: top and bottom of their gradient
    foliage: tuple[RGB, RGB]  # trees and palms
    water: tuple[RGB, RGB]  # the sea near the horizon and in front: it mirrors the sky
    rim: RGB  # light catching the edges of silhouettes
    particle: RGB
    accents: tuple[RGB, ...]  # lit windows, neon, sparkles, nebulae
    stars: float  # 0..1 how many stars show
    clouds: float  # 0..1 how cloudy the sky is
    fog: float  # 0..1 how much distance fades into the horizon colour


@dataclass(frozen=True)
class _Light:
    """The sky and light of one time of day."""

    sky: tuple[RGB, RGB, RGB]
    glow: RGB
    light: RGB
    level: float  # how lit the land is, 1 at noon
    stars: float
    clouds: float


_LIGHTS: dict[str, _Light] = {
    "dawn": _Light(
        sky=((34, 46, 104), (146, 112, 170), (255, 186, 142)),
        glow=(255, 170, 120),
        light=(255, 232, 190),
        level=0.55,
        stars=0.25,
        clouds=0.45,
    ),
    "day": _Light(
        sky=((46, 108, 196), (112, 168, 228), (206, 228, 244)),
        glow=(255, 244, 214),
        light=(255, 252, 236),
        level=1.0,
        stars=0.0,
        clouds=0.5,
    ),
    "sunset": _Light(
        sky=((40, 34, 94), (198, 84, 112), (255, 168, 84)),
        glow=(255, 140, 60),
        light=(255, 214, 130),
        level=0.45,
        stars=0.08,
        clouds=0.55,
    ),
    "night": _Light(
        sky=((5, 8, 24), (16, 24, 58), (40, 52, 96)),
        glow=(70, 84, 140),
        light=(232, 236, 252),
        level=0.2,
        stars=1.0,
        clouds=0.2,
    ),
}

# Land colours in full daylight: (terrain top, terrain bottom, foliage top, foliage bottom).
_LANDS: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "forest": ((78, 98, 70), (34, 48, 36), (34, 74, 52), (12, 32, 24)),
    "mountains": ((96, 108, 132), (40, 48, 66), (44, 76, 60), (16, 34, 28)),
    "city": ((58, 64, 84), (22, 24, 36), (34, 60, 48), (14, 26, 22)),
    "ocean": ((226, 200, 156), (176, 142, 104), (40, 84, 54), (16, 40, 28)),
    "desert": ((226, 168, 104), (156, 96, 62), (80, 110, 60), (40, 60, 34)),
    "meadow": ((86, 140, 66), (34, 72, 36), (40, 96, 52), (16, 46, 26)),
}
_SNOW = ((232, 238, 250), (150, 166, 204))
_WATER = ((60, 120, 160), (14, 44, 74))
_AUTUMN = ((214, 110, 44), (120, 44, 26))
_BLOSSOM = ((244, 176, 204), (150, 84, 120))
_PARTICLES: dict[str, RGB] = {
    "snow": (244, 247, 255),
    "rain": (196, 208, 230),
    "fire": (255, 150, 56),
    "fireflies": (226, 255, 120),
    "petals": (255, 188, 210),
    "autumn": (226, 120, 44),
}
_WINDOWS: tuple[RGB, ...] = ((255, 214, 140), (255, 236, 190), (250, 190, 110))
_NEON: tuple[RGB, ...] = ((255, 60, 200), (40, 230, 255), (160, 90, 255))


def palette_for(scene: Scene) -> Palette:
    """The palette of ``scene``."""
    light = _LIGHTS[scene.time_of_day]
    sky_top, sky_mid, sky_horizon = light.sky
    if scene.setting == "dreamscape":
        sky_top, sky_mid, sky_horizon = _dream_sky(scene.hue, light)
    lands = _LANDS.get(scene.setting) or _dream_land(scene.hue)
    terrain, foliage = (lands[0], lands[1]), (lands[2], lands[3])
    if "snow" in scene.motifs:
        terrain = _SNOW
        foliage = (mix(foliage[0], _SNOW[1], 0.35), foliage[1])
    if "autumn" in scene.motifs:
        foliage = _AUTUMN
    if "petals" in scene.motifs:
        foliage = _BLOSSOM

    def lit(colour: RGB) -> RGB:
        """A land colour under this light: darker at night, tinted by the sky."""
        return mix(scaled(colour, light.level), sky_mid, 0.18)

    palette = Palette(
        sky_top=sky_top,
        sky_mid=sky_mid,
        sky_horizon=sky_horizon,
        glow=light.glow,
        light=light.light,
        light_kind="moon" if scene.time_of_day == "night" else "sun",
        elevation=_elevation(scene),
        terrain=(lit(terrain[0]), lit(terrain[1])),
        foliage=(lit(foliage[0]), lit(foliage[1])),
        water=(
            mix(scaled(sky_horizon, 0.88), _WATER[0], 0.2),
            mix(scaled(sky_top, 0.9), _WATER[1], 0.45),
        ),
        rim=mix(light.glow, (255, 255, 255), 0.3),
        particle=next((_PARTICLES[m] for m in scene.motifs if m in _PARTICLES), light.light),
        accents=_NEON + _WINDOWS if "neon" in scene.motifs else _WINDOWS,
        stars=light.stars,
        clouds=light.clouds,
        fog=0.6 if "fog" in scene.motifs else 0.25,
    )
    return _with_motifs(palette, scene)


def _with_motifs(palette: Palette, scene: Scene) -> Palette:
    """``palette`` changed by the place and the motifs that colour the whole sky."""
    if scene.setting == "space":
        palette = replace(
            palette,
            sky_top=(2, 2, 8),
            sky_mid=(10, 8, 28),
            sky_horizon=(24, 14, 44),
            light_kind="planet",
            stars=1.0,
            clouds=0.0,
            accents=((120, 60, 200), (40, 120, 220), (230, 80, 160), (255, 190, 120)),
        )
    if scene.setting == "city" and scene.time_of_day == "night":
        palette = replace(
            palette, sky_horizon=mix(palette.sky_horizon, (150, 70, 150), 0.55), glow=(190, 90, 170)
        )
    if "rain" in scene.motifs:
        grey = (92, 100, 116) if scene.time_of_day != "night" else (22, 26, 40)
        palette = replace(
            palette,
            sky_top=mix(palette.sky_top, grey, 0.6),
            sky_mid=mix(palette.sky_mid, grey, 0.55),
            sky_horizon=mix(palette.sky_horizon, grey, 0.35),
            light_kind="none",
            stars=0.0,
            clouds=0.9,
        )
    if "fire" in scene.motifs:
        palette = replace(palette, glow=(255, 120, 40), rim=(255, 170, 90))
    return palette


def _elevation(scene: Scene) -> float:
    """Sun height: it rises along a dawn film and sinks along a sunset one."""
    if scene.time_of_day == "dawn":
        return 0.06 + 0.22 * scene.progress
    if scene.time_of_day == "sunset":
        return 0.28 - 0.24 * scene.progress
    if scene.time_of_day == "night":
        return 0.62
    return 0.72


def _dream_sky(hue: float, light: _Light) -> tuple[RGB, RGB, RGB]:
    """A sky in the prompt's own hue, as bright as the time of day."""
    level = 0.35 + 0.65 * light.level
    return (
        _hsv(hue + 0.55, 0.55, 0.45 * level),
        _hsv(hue + 0.05, 0.45, 0.75 * level),
        _hsv(hue - 0.05, 0.35, 0.98 * level),
    )


def _dream_land(hue: float) -> tuple[RGB, RGB, RGB, RGB]:
    """Land colours complementing a dreamscape sky."""
    return (
        _hsv(hue + 0.45, 0.35, 0.55),
        _hsv(hue + 0.5, 0.45, 0.22),
        _hsv(hue + 0.4, 0.45, 0.4),
        _hsv(hue + 0.45, 0.5, 0.16),
    )


def _hsv(hue: float, saturation: float, value: float) -> RGB:
    """An RGB colour from hue (wrapping), saturation and value, all 0..1."""
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)
