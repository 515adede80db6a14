"""Compiling the renderer's per-pixel loops with numba, the same way everywhere.

Some steps of drawing a frame are loops over rows and columns that numpy can only express as
passes over whole arrays, a temporary for each step. These few loops are compiled instead.
Each is compiled for the one signature it is called with, as its module is imported (render
workers import the render code as they start, so no frame and no timed piece waits for the
compiler), and the machine code is cached beside the source, so a machine compiles only once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from numba import njit

Loop = TypeVar("Loop", bound=Callable[..., object])


def compiled(signature: str, *, inline: bool = False) -> Callable[[Loop], Loop]:
    """Compile the decorated loop for ``signature`` now, cached, releasing the GIL;
    ``inline`` ones are compiled into the loops that call them (small, per-sample steps)."""
    return cast(Callable[[Loop], Loop],
                njit(signature, cache=True, nogil=True, inline="always" if inline else "never"))
