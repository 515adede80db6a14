"""The picture sizes a video renders at: per aspect ratio of the contract, at full size or as a
quick draft (a quarter of the width, for previews and for many-job test runs).

Apart from the render package, so the settings can name the sizes without loading the renderer.
"""

from __future__ import annotations

from typing import Literal, get_args

RenderSize = Literal["full", "draft"]
RENDER_SIZES: tuple[RenderSize, ...] = get_args(RenderSize)
PICTURE_SIZES: dict[str, dict[str, tuple[int, int]]] = {
    "full": {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (720, 720)},
    "draft": {"16:9": (320, 180), "9:16": (180, 320), "1:1": (180, 180)},
}
