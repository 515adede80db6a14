"""What moves in the air of a scene: its swarms of particles, chosen by motif and shot."""

from __future__ import annotations

import numpy as np

from services.backend.render.camera import Camera
from services.backend.render.look import Look
from services.backend.render.palette import RGB, Palette
from services.backend.render.particles import Swarm, bird, dash, dot, streak
from services.backend.render.scatter import MARGIN, Scatter
from services.backend.script import Scene


def build_air(
    scene: Scene,
    palette: Palette,
    look: Look,
    camera: Camera,
    rng: np.random.Generator,
    scale: float,
    *,
    sun_x: float,
    hearth: tuple[float, float, float] | None,
) -> list[Swarm]:
    """The swarms of ``scene``, far ones first.

    ``sun_x`` is where the sun is across the frame (for its glints on water); ``hearth``
    is where a fire burns on the nearest ground, if the scene has one: world x and y,
    and the depth of that ground.
    """
    air = _Air(camera, look, rng, scale)
    motifs = scene.motifs
    if scene.setting == "space":
        air.space_stars()
    if scene.setting == "ocean" and palette.light_kind in ("sun", "moon"):
        air.glints(palette.light, sun_x)
    if scene.setting == "city" and ("rain" in motifs or "neon" in motifs):
        air.reflections(palette.accents)
    if "birds" in motifs:
        air.birds(palette.foliage[1])
    if "snow" in motifs:
        air.snow(palette.particle)
    if "rain" in motifs:
        air.rain(palette.particle)
    if hearth is not None:
        air.campfire(*hearth)
    if "fire" in motifs:
        air.embers()
    if "petals" in motifs:
        air.falling(((255, 188, 210), (250, 160, 190), (255, 226, 236)))
    if "autumn" in motifs:
        air.falling(((226, 120, 44), (190, 64, 32), (240, 176, 64)))
    if "fireflies" in motifs or (scene.setting == "forest" and scene.time_of_day == "night"):
        air.fireflies()
    if not air.swarms and scene.setting != "space":
        air.dust(palette.light)
    lights = "neon" in motifs or "fire" in motifs or "fireflies" in motifs
    if scene.shot == "detail" and (lights or scene.time_of_day == "night"):
        city = scene.setting == "city"
        air.bokeh(palette.accents[:3] if city else (palette.particle, palette.glow))
    return air.swarms


class _Air(Scatter):
    """The air's effects, each one or a few swarms scattered in the scene's look."""

    def snow(self, colour: RGB) -> None:
        """Flakes at three distances: small and slow far away, big and soft up close."""
        for count, radius, fall, alpha, depth, sway in (
            (260, 0.7, (22, 40), (120, 170), 0.25, 8),
            (120, 1.4, (45, 75), (170, 220), 0.55, 14),
            (26, 3.0, (95, 135), (150, 200), 1.0, 24),
        ):
            kernel = dot(radius * self.scale, glow=radius > 2)
            self.add(
                count,
                kernel,
                colours=(colour,),
                alpha=alpha,
                drift=(-6, 10),
                fall=fall,
                depth=depth,
                sway=sway,
            )

    def rain(self, colour: RGB) -> None:
        """Thin fast streaks, fainter and shorter in the distance."""
        slant = 0.16
        for count, length, fall, alpha, depth in (
            (230, 12, (650, 850), (40, 75), 0.4),
            (70, 26, (1050, 1350), (70, 110), 1.0),
        ):
            drift = (slant * fall[0], slant * fall[0])
            self.add(
                count,
                streak(length * self.scale, slant),
                colours=(colour,),
                alpha=alpha,
                drift=drift,
                fall=fall,
                depth=depth,
            )

    def campfire(self, x: float, ground: float, depth: float) -> None:
        """A fire on the ground: a warm flickering glow and flames licking upward."""
        s = self.scale
        self.add(
            1,
            dot(42 * s, glow=True),
            colours=((255, 150, 60),),
            alpha=(80, 100),
            box=(x - 1, ground - 100 * s, x + 1, ground),
            depth=depth,
            flicker=0.3,
            anchored=True,
            at=(np.array([x]), np.array([ground - 20 * s])),
        )
        flames = (x - 14 * s, ground - 80 * s, x + 14 * s, ground)
        for count, radius in ((30, 9.0), (24, 5.0)):
            self.add(
                count,
                dot(radius * s, glow=True),
                colours=((255, 226, 120), (255, 170, 60), (250, 110, 40)),
                alpha=(200, 256),
                fall=(-120, -70),
                box=flames,
                depth=depth,
                sway=4,
                flicker=0.4,
                anchored=True,
                fade_up=True,
            )

    def embers(self) -> None:
        """Sparks rising and flickering from below."""
        box = (-MARGIN, self.height * 0.2, self.width + MARGIN, self.height + MARGIN)
        for count, radius in ((70, 0.9), (30, 1.8)):
            self.add(
                count,
                dot(radius * self.scale, glow=radius > 1),
                colours=((255, 120, 40), (255, 170, 60), (255, 210, 120)),
                alpha=(150, 240),
                drift=(4, 24),
                fall=(-110, -40),
                box=box,
                depth=0.8,
                sway=12,
                flicker=0.6,
            )

    def falling(self, colours: tuple[RGB, ...]) -> None:
        """Petals or leaves tumbling down on the breeze, bigger when nearer."""
        for count, radius, fall, depth in ((50, 1.8, (25, 45), 0.4), (22, 3.2, (45, 75), 1.0)):
            self.add(
                count,
                dot(radius * self.scale, edge=1.5),
                colours=colours,
                alpha=(170, 235),
                drift=(15, 40),
                fall=fall,
                depth=depth,
                sway=20,
                bob=6,
            )

    def fireflies(self) -> None:
        """Glowing specks wandering low and blinking."""
        box = (-MARGIN, self.horizon * 0.9, self.width + MARGIN, self.height + MARGIN)
        self.add(
            36,
            dot(2.6 * self.scale, glow=True),
            colours=((226, 255, 120), (255, 230, 120)),
            alpha=(180, 256),
            drift=(-8, 8),
            fall=(-6, 6),
            box=box,
            depth=0.7,
            sway=22,
            bob=14,
            flicker=0.9,
        )

    def dust(self, colour: RGB) -> None:
        """A few motes catching the light, barely moving."""
        self.add(
            50,
            dot(1.1 * self.scale, glow=True),
            colours=(colour,),
            alpha=(50, 90),
            drift=(3, 12),
            fall=(-6, 6),
            depth=0.6,
            sway=6,
            bob=6,
            flicker=0.3,
        )

    def glints(self, colour: RGB, sun_x: float) -> None:
        """The sun's (or moon's) path on the water: dashes of light that twinkle in place.

        The path widens toward the viewer, as a reflection on a rough surface does.
        """
        water = self.height - self.horizon
        box = (-MARGIN, self.horizon + 2, self.width + MARGIN, self.horizon + 0.55 * water)
        count = round(150 * self.area)
        y = self.horizon + 2 + water * 0.53 * self.rng.random(count) ** 1.5
        x = sun_x + self.rng.normal(0, 1, count) * (6 + 0.45 * (y - self.horizon))
        self.add(
            count,
            dash(max(2, round(5 * self.scale))),
            colours=(colour,),
            alpha=(110, 256),
            box=box,
            depth=0.05,
            flicker=1.0,
            at=(x, y),
        )

    def reflections(self, colours: tuple[RGB, ...]) -> None:
        """Coloured lights mirrored in the wet street, shimmering."""
        top = self.horizon + 0.64 * (self.height - self.horizon)
        box = (-MARGIN, top, self.width + MARGIN, self.height + MARGIN)
        self.add(
            110,
            streak(22 * self.scale, 0.0),
            colours=colours,
            alpha=(110, 220),
            box=box,
            depth=0.62,
            bob=2,
            flicker=0.7,
        )

    def bokeh(self, colours: tuple[RGB, ...]) -> None:
        """Large out-of-focus lights drifting in front of everything (detail shots)."""
        for count, radius in ((8, 14), (5, 24)):
            kernel = dot(radius * self.scale, edge=4 * self.scale)
            self.add(
                count,
                kernel,
                colours=colours,
                alpha=(60, 110),
                drift=(-8, 8),
                fall=(-5, 5),
                depth=1.4,
                sway=10,
            )

    def birds(self, colour: RGB) -> None:
        """A loose flock crossing the sky, beating its wings."""
        span = max(3, round(6 * self.scale))
        wings = (bird(span, 0.5), bird(span, -0.15))
        box = (-MARGIN, self.horizon * 0.15, self.width + MARGIN, self.horizon * 0.55)
        for beat in (3.4, 4.1):  # two groups out of step
            self.add(
                5,
                wings,
                colours=(colour,),
                alpha=(200, 240),
                drift=(40, 65),
                fall=(-4, 4),
                box=box,
                depth=0.2,
                bob=5,
                beat=beat,
            )

    def space_stars(self) -> None:
        """Stars at three depths streaming past as the camera pans through space."""
        for count, radius, depth in ((300, 0.6, 0.2), (120, 0.9, 0.5), (40, 1.3, 1.0)):
            self.add(
                count,
                dot(radius * self.scale),
                colours=((255, 255, 255), (200, 220, 255)),
                alpha=(150, 240),
                drift=(-20 * depth, -20 * depth),
                depth=depth,
                flicker=0.3,
            )
