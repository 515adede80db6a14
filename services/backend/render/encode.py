"""H.264 encoding: the one place that holds the encoder settings.

Every clip of a video is encoded with exactly these settings, which is what lets the
composer join clips by copying packets instead of re-encoding them: the same stream
parameters, no B-frames (so decode order is presentation order and a clip's timestamps
can simply be offset), a constant frame rate and explicit timestamps. The benchmark
(``bench/encode_limit.py``) uses this module too, so it measures what the renderer pays.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc

from services.backend.render.compiled import compiled
from services.backend.render.formats import VideoFormat

# Measured on the two-core target, two worker processes rendering the ten 6 s scenes of a
# 60 s 720p video: "superfast" takes ~8.5 s where "veryfast" (crf 21) takes ~9.5 s, with
# the same look on these soft gradients and small particles (PSNR ~45 dB), for ~2x the
# bytes (~3 Mbit/s against ~1.4): we spend bytes to keep a margin under the 15 s target.
# One encoder thread per process beats two (8.3 s against 8.7 s) because both cores are
# busy anyway; a lone process would gain ~10% from two.
# "bf": "0" keeps decode order equal to presentation order, which remuxing relies on.
X264_OPTIONS: dict[str, str] = {
    "preset": "superfast",
    "crf": "22",
    "bf": "0",
    "threads": "1",
}
PIXEL_FORMAT = "yuv420p"

# RGB (0..255) to the encoder's YUV: BT.709, limited range, as ``to_yuv`` converts.
_RGB_TO_YUV = np.array(
    [[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]],
    dtype=np.float32,
) * (np.array([[219], [224], [224]], dtype=np.float32) / 255)
_YUV_OFFSET = np.array([16, 128, 128], dtype=np.float32)


def yuv_of(rgb: np.ndarray) -> np.ndarray:
    """RGB colours (any shape ending in 3, values 0..255) as the encoder's Y, U, V, float32.

    Mixing colours commutes with this conversion (it is affine), so a picture painted in
    these colours is the picture painted in RGB, converted.
    """
    yuv: np.ndarray = np.asarray(rgb, dtype=np.float32) @ _RGB_TO_YUV.T
    yuv += _YUV_OFFSET
    return yuv


def plane_rows(frame: av.VideoFrame, index: int) -> np.ndarray:
    """Plane ``index`` of a YUV frame as a writable, contiguous array (no copy) whose rows
    may end in padding (never shown), which is what compiled loops go through fastest."""
    plane = frame.planes[index]
    return np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)


class Canvas:
    """The picture the procedural renderer paints, frame after frame, and its hand-over.

    ``pixels`` is HxWx3 uint8 in the encoder's Y, U, V (``yuv_of``) at full resolution.
    Handing it over only halves the chroma, as ``to_yuv`` does from RGB (two columns
    averaged, rows weighted 1-3-3-1), so the encoder gets the same picture as from an RGB
    renderer, without a colour conversion per frame.
    """

    def __init__(self, width: int, height: int) -> None:
        self.pixels = np.empty((height, width, 3), dtype=np.uint8)

    def to_yuv(self) -> av.VideoFrame:
        """The picture as a new encoder-ready frame (yuv420p)."""
        height, width = self.pixels.shape[:2]
        frame = av.VideoFrame(width, height, PIXEL_FORMAT)
        _hand_over(self.pixels.reshape(height, 3 * width),
                   *(plane_rows(frame, index) for index in range(3)))
        return frame


@compiled("void(uint8[:, ::1], uint8[:, ::1], uint8[:, ::1], uint8[:, ::1])")
def _hand_over(pixels: np.ndarray, luma: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
    """Copy the painted pixels' luma to ``luma`` and halve their chroma into ``u`` and ``v``
    (the planes' rows, padding included). ``pixels`` holds each row's Y, U, V bytes in turn:
    flat rows are what the compiler turns into the tightest loop.

    Chroma row j sits between rows 2j and 2j + 1, so rows 2j - 1 to 2j + 2 weigh 1, 3, 3, 1
    (the edge rows repeat), each row the sum of a pair of columns; the total, in sixteenths,
    is rounded to the nearest.
    """
    height, width = pixels.shape[0], pixels.shape[1] // 3
    for row in range(height):
        painted, samples = pixels[row], luma[row]
        for column in range(width):
            samples[column] = painted[3 * column]
    for half_row in range(height // 2):
        above, upper = pixels[max(2 * half_row - 1, 0)], pixels[2 * half_row]
        lower, below = pixels[2 * half_row + 1], pixels[min(2 * half_row + 2, height - 1)]
        u_row, v_row = u[half_row], v[half_row]
        for half_column in range(width // 2):
            at = 6 * half_column  # the pair's first pixel: Y, U, V, then the second's
            u_row[half_column] = (
                np.int32(above[at + 1]) + above[at + 4] + below[at + 1] + below[at + 4]
                + 3 * (np.int32(upper[at + 1]) + upper[at + 4] + lower[at + 1] + lower[at + 4])
                + 8) >> 4
            v_row[half_column] = (
                np.int32(above[at + 2]) + above[at + 5] + below[at + 2] + below[at + 5]
                + 3 * (np.int32(upper[at + 2]) + upper[at + 5] + lower[at + 2] + lower[at + 5])
                + 8) >> 4


def to_yuv(rgb: np.ndarray) -> av.VideoFrame:
    """An RGB frame (HxWx3 uint8) converted to the encoder's YUV, BT.709 limited range."""
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
        format=PIXEL_FORMAT,
        dst_colorspace=Colorspace.ITU709,
        dst_color_range=ColorRange.MPEG,
        threads=1,
    )


class ClipWriter:
    """Writes YUV frames, in order, to an MP4 file holding one H.264 stream.

    Use it as a context manager; leaving the block flushes the encoder and closes the file.
    """

    def __init__(self, path: Path, fmt: VideoFormat) -> None:
        self._time_base = Fraction(1, fmt.fps)
        self._container = av.open(str(path), mode="w", format="mp4")
        self._stream = self._container.add_stream("libx264", rate=fmt.fps, options=X264_OPTIONS)
        self._stream.width = fmt.width
        self._stream.height = fmt.height
        self._stream.pix_fmt = PIXEL_FORMAT
        context = self._stream.codec_context
        context.time_base = self._time_base
        context.colorspace = Colorspace.ITU709
        context.color_primaries = ColorPrimaries.BT709
        context.color_trc = ColorTrc.BT709
        context.color_range = ColorRange.MPEG
        self._frames = 0

    def write(self, frame: av.VideoFrame) -> None:
        """Encode ``frame`` as the next frame of the clip."""
        self.mux(self.encode(frame))

    def encode(self, frame: av.VideoFrame) -> list[av.Packet]:
        """The packets that encoding ``frame`` as the next frame gives (maybe none yet);
        ``write`` without the muxing, for the benchmark to time the two apart."""
        frame.pts = self._frames
        frame.time_base = self._time_base
        self._frames += 1
        return self._stream.encode(frame)

    def mux(self, packets: list[av.Packet]) -> None:
        """Write ``packets`` (from ``encode``) to the file."""
        self._container.mux(packets)

    def __enter__(self) -> ClipWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
