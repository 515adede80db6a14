"""The render pool in two lanes: the scene workers, and a worker of its own for the music.

A job's music (1 s of work for a 60 s video, most of it the AAC encoder) cannot be split.
Queued behind the job's scenes it ran alone at the end, while the other workers idled: a 60 s
video of ten scenes on two workers took 8.9 s. In a lane of its own, started once the last
scene has a worker (``driver.py``), it takes a core the last scenes leave idle or shares the
cores with them, so every core stays busy to the end: 8.2 s (medians of four runs each, on 2
cores). Started with the job, it slowed scenes that kept every core busy anyway (8.5 s).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.backend.eta import MUSIC
from services.backend.pool.protocol import RenderPool


@dataclass(frozen=True)
class RenderLanes:
    """The scene workers (which also compose) and the music's own worker."""

    scenes: RenderPool
    music: RenderPool

    def for_piece(self, name: str) -> RenderPool:
        """The lane that renders the piece ``name`` (``pieces.Piece.name``)."""
        return self.music if name == MUSIC else self.scenes

    @property
    def idle(self) -> bool:
        """Whether no task is running or waiting in either lane."""
        return self.scenes.idle and self.music.idle

    def start(self) -> None:
        """Start every worker of both lanes."""
        self.scenes.start()
        self.music.start()

    async def ready(self) -> None:
        """Wait until every worker of both lanes has started."""
        await asyncio.gather(self.scenes.ready(), self.music.ready())

    def close(self) -> None:
        """Stop every worker of both lanes."""
        self.scenes.close()
        self.music.close()
