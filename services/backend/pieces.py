"""The pieces of render work a job is made of, whoever runs them.

A job is its scenes, its music and, once those are done, the composition of the final video.
The embedded driver runs the pieces in its process pool; a cluster's workers each run one.
Either way a piece is the same call of a render function, writes the same files, is recorded
in the job's assets the same way (``record_finished``) and teaches the ETA the same rate.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.backend.eta import COMPOSE, MUSIC, Throughput, scene_of, scene_task
from services.backend.render import compose_video, render_scene, synthesize_music, video_format
from services.backend.script import Scene
from services.backend.store import JobRecord


@dataclass(frozen=True)
class Piece:
    """One call of a render function: ``function(*args, should_stop=…, **kwargs)``."""

    name: str  # ``scene_task(n)``, ``MUSIC`` or ``COMPOSE``, as the ETA counts it
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    files: tuple[Path, ...]  # what it writes, in the order ``record_finished`` names them

    def run(self, should_stop: Callable[[], bool]) -> None:
        """Render here and now (in a worker)."""
        self.function(*self.args, should_stop=should_stop, **self.kwargs)


def _suffix(attempt: int) -> str:
    """A later attempt writes files of its own, so it never overwrites an earlier one's."""
    return "" if attempt <= 1 else f"_a{attempt}"


def scene(record: JobRecord, shot: Scene, job_dir: Path, attempt: int = 1) -> Piece:
    """Render scene ``shot`` of the job, with its thumbnail."""
    fmt = video_format(record.aspect_ratio, record.render_size)
    stem = f"scene_{shot.number:02d}{_suffix(attempt)}"
    clip, thumbnail = job_dir / f"{stem}.mp4", job_dir / f"{stem}.jpg"
    return Piece(scene_task(shot.number), render_scene, (shot, fmt, record.style, clip, thumbnail),
                 {}, (clip, thumbnail))


def music(record: JobRecord, job_dir: Path, attempt: int = 1) -> Piece:
    """Synthesize the soundtrack; its mood follows the prompt and the style."""
    path = job_dir / f"music{_suffix(attempt)}.m4a"
    return Piece(MUSIC, synthesize_music, (float(record.duration), path),
                 {"seed": hash_seed(record.prompt), "mood": f"{record.prompt} {record.style}"},
                 (path,))


def compose(record: JobRecord, clips: list[Path], audio: Path, job_dir: Path,
            attempt: int = 1) -> Piece:
    """Join the scenes' clips and the music into the final video."""
    output = job_dir / f"video{_suffix(attempt)}.mp4"
    return Piece(COMPOSE, compose_video, (clips, audio, output),
                 {"duration": float(record.duration)}, (output,))


def is_finished(record: JobRecord, name: str) -> bool:
    """Whether the job's assets already hold the piece ``name``'s files."""
    number = scene_of(name)
    if number is not None:
        return str(number) in record.assets.get("scenes", {})
    return ("audio" if name == MUSIC else "final") in record.assets


def finished(record: JobRecord) -> list[str]:
    """The names of the pieces whose files the job's assets hold (an earlier attempt's too)."""
    scenes = sorted(int(number) for number in record.assets.get("scenes", {}))
    others = [name for name, kind in ((MUSIC, "audio"), (COMPOSE, "final"))
              if kind in record.assets]
    return [*(scene_task(number) for number in scenes), *others]


def record_finished(record: JobRecord, piece: Piece) -> None:
    """Put a finished piece's files in the job's assets (which the stages are read from)."""
    now = time.time()
    number = scene_of(piece.name)
    if number is not None:
        clip, thumbnail = piece.files
        record.assets.setdefault("scenes", {})[str(number)] = {
            "clip": clip.name, "thumbnail": thumbnail.name, "created_at": now}
    elif piece.name == MUSIC:
        record.assets["audio"] = {"file": piece.files[0].name, "created_at": now}
    else:
        record.assets["final"] = {"file": piece.files[0].name, "created_at": now}


async def learn_from(throughput: Throughput, record: JobRecord, piece: Piece,
                     seconds: float) -> None:
    """Teach the ETA how fast this machine ran the piece."""
    if scene_of(piece.name) is not None:
        fmt = video_format(record.aspect_ratio, record.render_size)
        frames = round(record.duration / record.scene_count * fmt.fps)
        await throughput.record_scene(fmt.width, fmt.height, frames, seconds)
    else:
        step = "audio" if piece.name == MUSIC else "compose"
        await throughput.record_step(step, record.duration, seconds)


def final_clips(record: JobRecord) -> list[str]:
    """The scenes' clip names in scene order, for the composition."""
    scenes = sorted(record.assets["scenes"].items(), key=lambda item: int(item[0]))
    return [entry["clip"] for _, entry in scenes]


def hash_seed(text: str) -> int:
    """A stable seed from text (Python's ``hash`` changes between processes)."""
    return zlib.crc32(text.encode())
