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
