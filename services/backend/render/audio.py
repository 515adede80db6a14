"""Background music: a short generative piece in numpy, encoded as AAC.

A four-chord progression in a key picked by the seed, major or minor by the mood, played
by three voices: a soft detuned pad (a wavetable, so long notes cost one lookup per
sample), a plucked arpeggio with an echo, and a round bass. The piece fades in and out
and is as long as the video.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from services.backend.render.base import RenderCancelled
from services.backend.render.files import atomic_output
from services.backend.script import vocabulary

SAMPLE_RATE = 44100
BIT_RATE = 160_000
FRAME_SAMPLES = 1024  # an AAC frame
FADE_IN, FADE_OUT = 1.5, 2.5  # seconds
PEAK = 0.8
CHECK_EVERY = 64  # AAC frames between two questions to ``should_stop``

MINOR_WORDS = vocabulary(
    "night dark rain rainy storm noir sad space mystery mysterious cold winter snow lonely "
    "moon fog mist"
)
LIVELY_WORDS = vocabulary("city neon fire run runs running race action dance bright day")
ROOTS = (53, 55, 57, 58, 60, 62)  # MIDI notes: F3 .. D4
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
# Chord roots as scale degrees (0 = tonic), four chords to a cycle.
MAJOR_PROGRESSIONS = ((0, 4, 5, 3), (0, 5, 3, 4), (3, 0, 4, 5))
MINOR_PROGRESSIONS = ((0, 5, 2, 6), (0, 3, 5, 4), (0, 6, 5, 6))
ARPEGGIO = (0, 1, 2, 3, 2, 1, 2, 3)  # chord tones, in eighth notes


def synthesize_music(
    seconds: float,
    path: Path,
    *,
    seed: int,
    mood: str = "",
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Write ``seconds`` of music to ``path`` (an .m4a holding AAC).

    ``mood`` is free text (the prompt and the style work well): words such as night,
    rain or noir choose a minor key, city, fire or action a livelier tempo. A worker may
    pass ``should_stop``; it is asked now and then and ends the work with
    ``RenderCancelled``, leaving no file.
    """
    stop = should_stop or _never
    rng = np.random.default_rng(seed)
    words = set(re.findall(r"[a-z]+", mood.lower()))
    minor = bool(words & MINOR_WORDS)
    tempo = 92.0 if words & LIVELY_WORDS else 74.0
    scale = MINOR_SCALE if minor else MAJOR_SCALE
    progressions = MINOR_PROGRESSIONS if minor else MAJOR_PROGRESSIONS
    progression = progressions[rng.integers(len(progressions))]
    root = ROOTS[rng.integers(len(ROOTS))]

    total = round(seconds * SAMPLE_RATE)
    music = np.zeros((2, total), dtype=np.float32)
    plucks = np.zeros_like(music)
    bar = 4 * 60 / tempo
    for index in range(int(np.ceil(seconds / bar))):
        degree = progression[index % len(progression)]
        chord = [root + _step(scale, degree + 2 * voice) for voice in range(4)]
        start = round(index * bar * SAMPLE_RATE)
        _pad(music, start, bar, chord)
        _arpeggio(plucks, start, bar, chord, rng)
        _bass(music, start, bar, chord[0] - 24)
    _echo(plucks, delay=0.75 * 60 / tempo, feedback=0.3)
    music += plucks
    _fades(music)
    music *= PEAK / max(float(np.abs(music).max()), 1e-6)
    _encode(music, path, stop)


def _never() -> bool:
    """A ``should_stop`` that never asks to stop."""
    return False


def _step(scale: tuple[int, ...], degree: int) -> int:
    """Semitones above the tonic of scale ``degree`` (it may run past an octave)."""
    octave, position = divmod(degree, len(scale))
    return 12 * octave + scale[position]


def _frequency(note: float) -> float:
    """Hertz of a MIDI note number."""
    return 440.0 * 2 ** ((note - 69) / 12)


def _pad(music: np.ndarray, start: int, bar: float, chord: list[int]) -> None:
    """Sustained chord: each note two slightly detuned voices, one per channel for width."""
    length = round((bar + 1.2) * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    envelope = np.minimum(t / 0.9, 1) * np.clip((bar + 1.2 - t) / 1.4, 0, 1)
    for channel, cents in ((0, -7.0), (1, 7.0)):
        voices = np.zeros(length, dtype=np.float32)
        for note in chord:
            voices += _wave(_frequency(note - 12 + cents / 100), t)
        _add(music[channel], start, 0.09 * voices * envelope)


_TABLE_SIZE = 4096
_PAD_TABLE = sum(
    np.sin(2 * np.pi * harmonic * np.arange(_TABLE_SIZE) / _TABLE_SIZE) / harmonic**1.6
    for harmonic in range(1, 7)
).astype(np.float32)


def _wave(frequency: float, t: np.ndarray) -> np.ndarray:
    """The pad's waveform (a few soft harmonics) at ``frequency``, read from a wavetable."""
    phase = (t * (frequency * _TABLE_SIZE)).astype(np.int64) % _TABLE_SIZE
    return _PAD_TABLE[phase]


def _arpeggio(
    music: np.ndarray, start: int, bar: float, chord: list[int], rng: np.random.Generator
) -> None:
    """Plucked eighth notes climbing the chord an octave up, alternating left and right."""
    eighth = bar / 8
    length = round(1.2 * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    decay = np.exp(-t / 0.32) * np.minimum(t / 0.004, 1)
    for step, tone in enumerate(ARPEGGIO):
        if rng.random() < 0.12:
            continue  # a rest now and then keeps it from sounding mechanical
        frequency = _frequency(chord[tone] + 12)
        note = np.sin(2 * np.pi * frequency * t) + 0.25 * np.sin(4 * np.pi * frequency * t)
        note *= decay * (0.11 + 0.03 * rng.random())
        offset = start + round(step * eighth * SAMPLE_RATE)
        left = 0.35 if step % 2 else 0.65
        _add(music[0], offset, note * left)
        _add(music[1], offset, note * (1 - left))


def _bass(music: np.ndarray, start: int, bar: float, note: int) -> None:
    """The chord's root, low, on the first and third beats."""
    length = round(bar / 2 * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    frequency = _frequency(note)
    tone = np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(4 * np.pi * frequency * t)
    tone *= np.exp(-t / 0.9) * np.minimum(t / 0.02, 1) * 0.22
    for beat in (0, 2):
        offset = start + round(beat * bar / 4 * SAMPLE_RATE)
        _add(music[0], offset, tone)
        _add(music[1], offset, tone)


def _add(channel: np.ndarray, offset: int, sound: np.ndarray) -> None:
    """Mix ``sound`` into ``channel`` from ``offset``, cut at the channel's end."""
    end = min(len(channel), offset + len(sound))
    if end > offset:
        channel[offset:end] += sound[: end - offset]


def _echo(music: np.ndarray, *, delay: float, feedback: float) -> None:
    """A few fading repeats, crossing between the channels for space."""
    shift = round(delay * SAMPLE_RATE)
    dry = music.copy()
    for repeat in range(1, 4):
        if shift * repeat >= music.shape[1]:  # music shorter than the echo
            break
        gain = feedback**repeat
        source = dry[::-1] if repeat % 2 else dry
        music[:, shift * repeat :] += gain * source[:, : music.shape[1] - shift * repeat]


def _fades(music: np.ndarray) -> None:
    """Fade in at the start and out at the end (raised-cosine curves)."""
    total = music.shape[1]
    for seconds, at_start in ((FADE_IN, True), (FADE_OUT, False)):
        length = min(total, round(seconds * SAMPLE_RATE))
        curve = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, length, dtype=np.float32))
        if at_start:
            music[:, :length] *= curve
        else:
            music[:, total - length :] *= curve[::-1]


def _encode(music: np.ndarray, path: Path, should_stop: Callable[[], bool]) -> None:
    """Encode stereo float samples as AAC in an MP4 audio file, atomically."""
    with atomic_output(path) as temporary, av.open(str(temporary), "w", format="ipod") as output:
        stream = output.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
        stream.bit_rate = BIT_RATE
        time_base = Fraction(1, SAMPLE_RATE)
        for start in range(0, music.shape[1], FRAME_SAMPLES):
            if start % (FRAME_SAMPLES * CHECK_EVERY) == 0 and should_stop():
                raise RenderCancelled("music cancelled")
            chunk = np.ascontiguousarray(music[:, start : start + FRAME_SAMPLES])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            frame.time_base = time_base
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
