"""Scattering a swarm of particles over a frame: the one step every effect of the air takes."""

from __future__ import annotations

import numpy as np

from services.backend.render.camera import Camera
from services.backend.render.look import Look
from services.backend.render.palette import RGB
from services.backend.render.particles import Kernel, Swarm

MARGIN = 40.0  # pixels beyond the frame where particles wrap, so they enter smoothly
Box = tuple[float, float, float, float]  # left, top, right, bottom


class Scatter:
    """Builds swarms for one frame size, in the scene's look, from one random stream.

    Speeds are pixels per second and sizes pixels, both of a 1280x720 frame.
    """

    def __init__(self, camera: Camera, look: Look, rng: np.random.Generator, scale: float) -> None:
        self.width, self.height = camera.fmt.width, camera.fmt.height
        self.horizon = camera.horizon_y
        self.look = look
        self.rng = rng
        self.scale = scale
        self.area = self.width * self.height / (1280 * 720)
        self.swarms: list[Swarm] = []

    def add(
        self,
        count: int,
        kernel: Kernel | tuple[Kernel, ...],
        *,
        colours: tuple[RGB, ...],
        alpha: tuple[int, int],
        drift: tuple[float, float] = (0.0, 0.0),
        fall: tuple[float, float] = (0.0, 0.0),
        box: Box | None = None,
        depth: float = 1.0,
        sway: float = 0.0,
        bob: float = 0.0,
        flicker: float = 0.0,
        beat: float = 0.0,
        anchored: bool = False,
        fade_up: bool = False,
        at: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Add a swarm of ``count`` particles (scaled to the frame's area) spread over ``box``
        (the frame and its margin by default), or placed ``at`` given positions.

        ``drift`` and ``fall`` are ranges of horizontal and vertical speed; the other
        options are the ``Swarm``'s.
        """
        rng, scale = self.rng, self.scale
        left, top, right, bottom = box or (
            -MARGIN,
            -MARGIN,
            self.width + MARGIN,
            self.height + MARGIN,
        )
        n = len(at[0]) if at else max(1, round(count * self.area))
        x, y = at or (rng.uniform(left, right, n), rng.uniform(top, bottom, n))
        painted = np.round(self.look.paint(colours)).astype(np.int32)
        self.swarms.append(
            Swarm(
                x=x,
                y=y,
                vx=rng.uniform(*drift, n) * scale,
                vy=rng.uniform(*fall, n) * scale,
                rate=rng.uniform(0.6, 1.8, n),
                phase=rng.uniform(0, 2 * np.pi, n),
                alpha=rng.integers(alpha[0], alpha[1] + 1, n).astype(np.int32),
                colours=painted[rng.integers(0, len(painted), n)],
                kernels=kernel if isinstance(kernel, tuple) else (kernel,),
                box=(left, top, right, bottom),
                depth=depth,
                sway=sway * scale,
                bob=bob * scale,
                flicker=flicker,
                beat=beat,
                anchored=anchored,
                fade_up=fade_up,
            )
        )
