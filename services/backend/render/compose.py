"""The final video: the scene clips joined and the music laid under them, by remuxing.

No frame is decoded or encoded again: the clips share their encoder settings and have
no B-frames (see ``encode.py``), so joining them is copying their H.264 packets with
each clip's timestamps moved to where the clip starts. Video and audio packets are
written in time order, so the file streams well; ``+faststart`` puts the index first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.packet import Packet
from av.video.stream import VideoStream

from services.backend.render.base import RenderCancelled
from services.backend.render.files import atomic_output

CHECK_EVERY = 64  # packets between two questions to ``should_stop``


def compose_video(
    clips: Sequence[Path],
    audio: Path,
    output: Path,
    *,
    duration: float,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Join ``clips`` (in order) with ``audio`` cut to ``duration`` seconds into ``output``.

    A worker may pass ``should_stop``; it is asked now and then and ends the work with
    ``RenderCancelled``, leaving no file.
    """
    if not clips:
        raise ValueError("compose_video needs at least one clip")
    with (
        atomic_output(output) as temporary,
        av.open(str(temporary), "w", format="mp4", options={"movflags": "+faststart"}) as out,
        av.open(str(clips[0])) as first,
        av.open(str(audio)) as music,
    ):
        video = out.add_stream_from_template(first.streams.video[0])
        sound = out.add_stream_from_template(music.streams.audio[0])
        packets = heapq.merge(
            _video_packets(clips, video),
            _audio_packets(music, sound, limit=Fraction(duration)),
            key=lambda timed: timed[0],
        )
        for count, (_, packet) in enumerate(packets):
            if count % CHECK_EVERY == 0 and should_stop is not None and should_stop():
                raise RenderCancelled("composition cancelled")
            out.mux(packet)


def _video_packets(clips: Sequence[Path], target: VideoStream) -> Iterator[tuple[Fraction, Packet]]:
    """Every clip's video packets, re-timed to follow each other, with their start in seconds."""
    offset = Fraction(0)
    for path in clips:
        with av.open(str(path)) as clip:
            stream = clip.streams.video[0]
            frame_time = 1 / Fraction(stream.average_rate or 24)
            end = offset
            for packet in clip.demux(stream):
                if packet.pts is None or packet.dts is None:
                    continue  # the demuxer's empty end-of-stream packet
                start = offset + packet.pts * packet.time_base
                shift = offset / packet.time_base
                packet.pts, packet.dts = round(packet.pts + shift), round(packet.dts + shift)
                packet.stream = target
                length = packet.duration * packet.time_base if packet.duration else frame_time
                end = max(end, start + length)
                yield start, packet
            offset = end


def _audio_packets(
    music: InputContainer, target: AudioStream, *, limit: Fraction
) -> Iterator[tuple[Fraction, Packet]]:
    """The music's packets that start before ``limit`` seconds, with their start in seconds."""
    for packet in music.demux(music.streams.audio[0]):
        if packet.pts is None:
            continue  # the demuxer's empty end-of-stream packet
        start = packet.pts * packet.time_base
        if start >= limit:
            return
        packet.stream = target
        yield start, packet
