"""Faster drawing must not mean a different picture: frames against a stored reference.

``data/render_reference.npz`` holds the YUV frames the encoder got at three moments of four
scenes (every kind of layer, particle and prop; four looks; three aspect ratios), as the
renderer of commit 3e38b76 drew them, before drawing was made cheap. A frame passes when it
is structurally the same picture: every 8x8 block of its luma has a structural similarity
(SSIM) near 1 to the reference's, and its colour differs by half a level at most on average.
A frame shifted by a pixel, missing its caption or in another look fails
(``test_the_bound_tells_a_different_picture``).

Rewrite the reference (``python -m tests.unit.test_render_reference``) only when the picture
is meant to change.
"""

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from services.backend.render import VideoFormat
from services.backend.render.scene import finished_frames
from services.backend.script import write_script

REFERENCE = Path(__file__).parent / "data" / "render_reference.npz"
SECONDS = 2.0  # each scene shortened to 48 frames
MOMENTS = (12, 24, 36)  # frames: faded in with the caption coming, caption shown, going
BLOCK = 8
WORST_BLOCK_SSIM = 0.9
MEAN_SSIM = 0.99
MEAN_CHROMA_DIFFERENCE = 0.5


@dataclass(frozen=True)
class Shot:
    """One scene of a prompt's script, at a small size and in a style."""

    name: str
    prompt: str
    number: int
    size: tuple[int, int]
    style: str


SHOTS = (
    Shot("forest", "A fox runs through a snowy forest", 1, (320, 180), ""),
    Shot("city", "Neon city streets in the rain at night", 2, (180, 320), "cinematic"),
    Shot("ocean", "Waves crashing on a tropical beach with palms at sunset", 3, (180, 180),
         "vintage"),
    Shot("mountains", "A campfire in the mountains at night with fireflies", 1, (256, 144),
         "noir"),
)


def rendered(
    shot: Shot, *, style: str | None = None, caption: str | None = None
) -> dict[int, np.ndarray]:
    """The shot's frames at ``MOMENTS`` as the encoder gets them (yuv420p: the Y rows, then
    the U and V planes packed, as PyAV's ``to_ndarray`` gives them); ``style`` and
    ``caption`` replace the shot's own."""
    style = shot.style if style is None else style
    scene = replace(write_script(shot.prompt, shot.style, 30)[shot.number - 1], duration=SECONDS)
    if caption is not None:
        scene = replace(scene, caption=caption)
    fmt = VideoFormat(width=shot.size[0], height=shot.size[1], fps=24)
    frames = finished_frames(scene, fmt, style)
    return {index: frame.to_ndarray() for index, frame in enumerate(frames) if index in MOMENTS}


def block_ssim(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The structural similarity of each ``BLOCK`` x ``BLOCK`` block of two luma planes."""
    rows, cols = (length // BLOCK * BLOCK for length in first.shape)

    def blocks(plane: np.ndarray) -> np.ndarray:
        cut = plane[:rows, :cols].astype(np.float64)
        return cut.reshape(rows // BLOCK, BLOCK, cols // BLOCK, BLOCK).swapaxes(1, 2)

    x, y = blocks(first), blocks(second)
    mean_x, mean_y = x.mean(axis=(2, 3)), y.mean(axis=(2, 3))
    var_x, var_y = x.var(axis=(2, 3)), y.var(axis=(2, 3))
    covariance = ((x - mean_x[..., None, None]) * (y - mean_y[..., None, None])).mean(axis=(2, 3))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return ((2 * mean_x * mean_y + c1) * (2 * covariance + c2)) / (
        (mean_x**2 + mean_y**2 + c1) * (var_x + var_y + c2)
    )


def differences(
    frame: np.ndarray, reference: np.ndarray, height: int
) -> tuple[float, float, float]:
    """The worst block's and the mean luma SSIM, and the mean chroma difference in levels."""
    ssim = block_ssim(frame[:height], reference[:height])
    chroma = np.abs(frame[height:].astype(np.int16) - reference[height:]).mean()
    return float(ssim.min()), float(ssim.mean()), float(chroma)


def same_picture(frame: np.ndarray, reference: np.ndarray, height: int) -> bool:
    """Whether ``frame`` passes as ``reference``'s picture (see the module's docstring)."""
    worst, mean, chroma = differences(frame, reference, height)
    return worst >= WORST_BLOCK_SSIM and mean >= MEAN_SSIM and chroma <= MEAN_CHROMA_DIFFERENCE


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as stored:
        return dict(stored)


@pytest.mark.parametrize("shot", SHOTS, ids=lambda shot: shot.name)
def test_frames_match_the_reference_renderers(shot: Shot,
                                              reference: dict[str, np.ndarray]) -> None:
    for index, frame in rendered(shot).items():
        expected = reference[f"{shot.name}_{index}"]
        assert frame.shape == expected.shape
        assert same_picture(frame, expected, shot.size[1]), (
            f"{shot.name} frame {index}: worst block SSIM, mean SSIM, chroma difference "
            f"{differences(frame, expected, shot.size[1])}"
        )


def _wrong_picture(wrong: str, shown: np.ndarray, shot: Shot) -> np.ndarray:
    """``shown`` (a frame of ``shot`` at ``MOMENTS[1]``) made wrong in the way ``wrong`` says."""
    height = shot.size[1]
    if wrong in ("a pixel to the side", "a row lower"):
        moved = shown.copy()
        moved[:height] = np.roll(shown[:height], 1, axis=1 if wrong == "a pixel to the side" else 0)
        return moved
    if wrong == "without its caption":
        return rendered(shot, caption="")[MOMENTS[1]]
    return rendered(shot, style="vivid")[MOMENTS[1]]


@pytest.mark.parametrize(
    "wrong", ["a pixel to the side", "a row lower", "without its caption", "in another look"]
)
def test_the_bound_tells_a_different_picture(wrong: str, reference: dict[str, np.ndarray]) -> None:
    forest = SHOTS[0]
    shown = reference[f"{forest.name}_{MOMENTS[1]}"]  # the caption fully shown
    assert not same_picture(_wrong_picture(wrong, shown, forest), shown, forest.size[1])


def write_reference() -> None:
    """Render every shot's frames and store them as the reference."""
    frames = {
        f"{shot.name}_{index}": frame for shot in SHOTS for index, frame in rendered(shot).items()
    }
    np.savez_compressed(REFERENCE, allow_pickle=False, **frames)


if __name__ == "__main__":
    write_reference()
