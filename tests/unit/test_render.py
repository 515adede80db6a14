"""Rendering for real, kept short: clips, thumbnails, cancelling, music and the final video."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from services.backend.render import (
    ProceduralRenderer,
    RenderCancelled,
    SceneRenderer,
    VideoFormat,
    compose_video,
    render_scene,
    synthesize_music,
    video_format,
)
from services.backend.render.caption import caption_font, caption_overlay
from services.backend.render.encode import Canvas, to_yuv, yuv_of
from services.backend.render.landscape import SETTINGS
from services.backend.script import Scene, write_script

FOX = "A fox runs through a snowy forest at dawn"


def _scene(seconds: float, *, number: int = 1, prompt: str = FOX) -> Scene:
    """A real scene of the prompt's script, shortened to ``seconds``."""
    return replace(write_script(prompt, "", 30)[number - 1], duration=seconds)


def _never() -> bool:
    return False


def _render(
    scene: Scene,
    fmt: VideoFormat,
    folder: Path,
    *,
    name: str = "scene",
    style: str = "",
    should_stop: Callable[[], bool] = _never,
    renderer: SceneRenderer | None = None,
) -> tuple[Path, Path]:
    """Render ``scene`` into ``folder``; the clip's and the thumbnail's paths."""
    clip, thumbnail = folder / f"{name}.mp4", folder / f"{name}.jpg"
    render_scene(scene, fmt, style, clip, thumbnail, should_stop=should_stop, renderer=renderer)
    return clip, thumbnail


def _video_facts(path: Path) -> tuple[int, int, int, str]:
    """Width, height, decoded frame count and pixel format of a clip's video."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.width, stream.height, frames, stream.codec_context.pix_fmt or ""


@pytest.mark.parametrize(("aspect", "render_size", "size"), [
    ("16:9", "full", (1280, 720)), ("9:16", "full", (720, 1280)), ("1:1", "full", (720, 720)),
    ("16:9", "draft", (320, 180)), ("9:16", "draft", (180, 320)), ("1:1", "draft", (180, 180)),
])
def test_formats_of_the_contracts_aspect_ratios(aspect: str, render_size: str,
                                                size: tuple[int, int]) -> None:
    assert video_format(aspect, render_size) == VideoFormat(width=size[0], height=size[1],
                                                            fps=24)


def test_an_unknown_aspect_ratio_or_size_is_refused() -> None:
    with pytest.raises(ValueError, match="4:3"):
        video_format("4:3")
    with pytest.raises(ValueError, match="huge"):
        video_format("16:9", "huge")


def test_a_scene_becomes_an_h264_clip_and_a_jpeg_thumbnail(tmp_path: Path) -> None:
    clip, thumbnail = _render(_scene(1.0), video_format("16:9"), tmp_path, style="cinematic")

    assert _video_facts(clip) == (1280, 720, 24, "yuv420p")
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        packets = [p for p in container.demux(stream) if p.pts is not None]
        assert [p.pts for p in packets] == [p.dts for p in packets]  # no B-frames, no reorder
    with Image.open(thumbnail) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (320, 180)
        assert np.asarray(picture).std() > 10  # a picture, not a blank
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.jpg", "scene.mp4"]


@pytest.mark.parametrize(("aspect", "size"), [("9:16", (720, 1280)), ("1:1", (720, 720))])
def test_tall_and_square_scenes(tmp_path: Path, aspect: str, size: tuple[int, int]) -> None:
    beach = _scene(0.5, prompt="Waves crashing on a tropical beach at sunset")
    clip, thumbnail = _render(beach, video_format(aspect), tmp_path)
    assert _video_facts(clip) == (*size, 12, "yuv420p")
    with Image.open(thumbnail) as picture:
        assert picture.width == 320


def test_should_stop_cancels_at_once_and_leaves_no_file(tmp_path: Path) -> None:
    asked = 0

    def stop_on_the_fifth_frame() -> bool:
        nonlocal asked
        asked += 1
        return asked == 5

    with pytest.raises(RenderCancelled):
        _render(_scene(2.0), video_format("16:9"), tmp_path, should_stop=stop_on_the_fifth_frame)
    assert asked == 5
    assert list(tmp_path.iterdir()) == []


def test_the_procedural_renderer_draws_an_animated_picture() -> None:
    fmt = VideoFormat(width=320, height=180, fps=24)
    frames = list(ProceduralRenderer().frames(_scene(0.5, number=3), fmt, "vivid"))
    assert len(frames) == 12
    assert all((f.width, f.height, f.format.name) == (320, 180, "yuv420p") for f in frames)
    pictures = [frame.to_ndarray(format="rgb24") for frame in frames]
    assert not np.array_equal(pictures[0], pictures[-1])  # the camera and the air move
    colours = np.unique(pictures[6].reshape(-1, 3), axis=0)
    assert len(colours) > 200  # gradients and shapes, not flat test bars
    again = next(iter(ProceduralRenderer().frames(_scene(0.5, number=3), fmt, "vivid")))
    assert np.array_equal(pictures[0], again.to_ndarray(format="rgb24"))


@pytest.mark.parametrize("size", [(320, 180), (180, 320)], ids=["wide", "tall"])
def test_a_painted_picture_reaches_the_encoder_as_its_rgb_picture_would(
        size: tuple[int, int]) -> None:
    # The procedural renderer paints in the encoder's YUV and hands the picture over by only
    # halving its chroma: the frame must be the one converting the RGB picture gives, sharp
    # colour edges (3-pixel blocks, across chroma pairs) and rows with padding included.
    width, height = size
    blocks = np.random.default_rng(5).integers(0, 256, (height // 3 + 1, width // 3 + 1, 3))
    rgb = np.ascontiguousarray(blocks.repeat(3, axis=0).repeat(3, axis=1)[:height, :width],
                               dtype=np.uint8)
    canvas = Canvas(width, height)
    canvas.pixels[:] = np.round(yuv_of(rgb))
    painted = canvas.to_yuv().to_ndarray().astype(np.int16)
    assert np.abs(painted - to_yuv(rgb).to_ndarray()).max() <= 1  # rounding, nothing more


@pytest.mark.parametrize("setting", [*SETTINGS, "dreamscape"])
@pytest.mark.parametrize("size", [(96, 54), (54, 96)], ids=["wide", "tall"])
def test_every_shot_of_every_setting_draws_its_sky(setting: str, size: tuple[int, int]) -> None:
    # A scene's sky is built only as tall as its land lets any frame show: drawing more rows
    # of sky than that fails. Every shot climbs, zooms or pans its own way.
    fmt = VideoFormat(width=size[0], height=size[1], fps=24)
    for number, shot in enumerate(("establishing", "detail", "tracking", "crane", "closing"), 1):
        scene = replace(_scene(1.0), number=number, shot=shot, setting=setting)
        frames = list(ProceduralRenderer().frames(scene, fmt, ""))
        assert len(frames) == 24
        assert all((frame.width, frame.height) == size for frame in frames)


def test_any_renderer_can_replace_the_procedural_one(tmp_path: Path) -> None:
    class Flat:
        def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[np.ndarray]:
            for index in range(fmt.frame_count(scene.duration)):
                yield np.full((fmt.height, fmt.width, 3), index * 10, dtype=np.uint8)

    clip, _ = _render(_scene(0.5), VideoFormat(320, 240, 24), tmp_path, renderer=Flat())
    assert _video_facts(clip) == (320, 240, 12, "yuv420p")


def test_a_renderer_that_runs_short_fails_and_leaves_no_file(tmp_path: Path) -> None:
    class Short:
        def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[np.ndarray]:
            yield np.zeros((fmt.height, fmt.width, 3), dtype=np.uint8)

    with pytest.raises(ValueError, match="frame 1"):
        _render(_scene(0.5), VideoFormat(320, 240, 24), tmp_path, renderer=Short())
    assert list(tmp_path.iterdir()) == []


def test_a_renderer_handing_frames_of_another_format_fails_and_leaves_no_file(
        tmp_path: Path) -> None:
    class Planar:  # encoder frames, but in 4:4:4: not what the encoder takes
        def frames(self, scene: Scene, fmt: VideoFormat, style: str) -> Iterator[av.VideoFrame]:
            for _ in range(fmt.frame_count(scene.duration)):
                yield av.VideoFrame(fmt.width, fmt.height, "yuv444p")

    with pytest.raises(ValueError, match=r"frame 0 .* or not 320x240 RGB or yuv420p"):
        _render(_scene(0.5), VideoFormat(320, 240, 24), tmp_path, renderer=Planar())
    assert list(tmp_path.iterdir()) == []


def test_music_is_stereo_aac_of_the_asked_length_with_more_than_one_tone(tmp_path: Path) -> None:
    path = tmp_path / "music.m4a"
    synthesize_music(3.0, path, seed=7, mood="a quiet night")
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        assert stream.channels == 2
        samples = np.concatenate([f.to_ndarray() for f in container.decode(stream)], axis=1)
    assert samples.shape[1] / 44100 == pytest.approx(3.0, abs=0.1)
    middle = samples[0, 44100:88200]
    assert np.sqrt(np.mean(middle**2)) > 0.02
    spectrum = np.abs(np.fft.rfft(middle))
    peaks = (spectrum[1:-1] > spectrum[:-2]) & (spectrum[1:-1] > spectrum[2:])
    assert np.count_nonzero(peaks & (spectrum[1:-1] > 0.1 * spectrum.max())) >= 4
    assert not np.allclose(samples[0], samples[1])


def test_music_shorter_than_its_echo_is_written_too(tmp_path: Path) -> None:
    # A worker's warm-up makes half a second of it; the echo's repeats lie past the end.
    path = tmp_path / "music.m4a"
    synthesize_music(0.5, path, seed=7)
    with av.open(str(path)) as container:
        assert container.duration is not None
        assert container.duration / 1_000_000 == pytest.approx(0.5, abs=0.1)


def test_clips_and_music_compose_into_one_video(tmp_path: Path) -> None:
    fmt = VideoFormat(width=320, height=180, fps=24)
    clips = [
        _render(_scene(1.0, number=number), fmt, tmp_path, name=f"scene_{number}")[0]
        for number in (1, 2, 3)
    ]
    synthesize_music(3.0, tmp_path / "music.m4a", seed=1)
    output = tmp_path / "final.mp4"

    compose_video(clips, tmp_path / "music.m4a", output, duration=3.0)

    with av.open(str(output)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        assert container.duration is not None
        assert container.duration / 1_000_000 == pytest.approx(3.0, abs=0.1)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 72
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def drawn(text: str) -> bytes:
    """``text`` as the caption's font draws it, as pixels."""
    picture = Image.new("L", (120, 60))
    ImageDraw.Draw(picture).text((10, 5), text, font=caption_font(36), fill=255)
    return picture.tobytes()


@pytest.mark.parametrize("character", ["\u2014", "\u00e9", "\u05e9", "\u0645", "\u0416", "\u03a9"],
                         ids=["em dash", "e acute", "shin", "meem", "zhe", "omega"])
def test_captions_draw_more_than_latin(character: str) -> None:
    no_glyph = drawn("\U0010fffd")  # a private code point: the font's box for a missing glyph
    assert drawn(character) != no_glyph


def test_a_right_to_left_caption_is_set() -> None:
    overlay = caption_overlay("שועל רץ בשלג · مرحبا", video_format("16:9"), bottom=40)
    assert overlay is not None
    assert overlay.alpha.max() > 0
