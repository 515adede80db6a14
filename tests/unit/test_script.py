"""The script writer: deterministic scenes whose words come from the prompt."""

import pickle

import pytest

from services.backend.script import scene_count, write_script

FOX = "A fox runs through a snowy forest at dawn"


@pytest.mark.parametrize(("duration", "count"), [(15, 3), (30, 5), (60, 10)])
def test_scene_count_and_durations_fill_the_video(duration: int, count: int) -> None:
    scenes = write_script(FOX, "cinematic", duration)
    assert scene_count(duration) == count
    assert [scene.number for scene in scenes] == list(range(1, count + 1))
    assert sum(scene.duration for scene in scenes) == pytest.approx(duration)
    assert len({scene.duration for scene in scenes}) == 1


def test_same_input_gives_the_same_script_and_other_input_another() -> None:
    assert write_script(FOX, "noir", 30) == write_script(FOX, "noir", 30)
    assert write_script(FOX, "noir", 30) != write_script("Waves at sunset", "noir", 30)
    assert write_script(FOX, "noir", 30)[0].seed != write_script(FOX, "vivid", 30)[0].seed


def test_shots_follow_a_films_order() -> None:
    shots = [scene.shot for scene in write_script(FOX, "", 60)]
    assert shots[0] == "establishing"
    assert shots[-1] == "closing"
    assert set(shots[1:-1]) <= {"detail", "tracking", "crane"}
    assert len(set(shots[1:-1])) == 3


def test_descriptions_and_captions_come_from_the_prompts_words() -> None:
    scenes = write_script(FOX, "", 30)
    assert scenes[0].description.startswith("Establishing shot: a fox runs through a snowy")
    assert scenes[0].caption == FOX
    assert all("the fox" in scene.description for scene in scenes[1:])
    text = " ".join(scene.description for scene in scenes).lower()
    assert "snow" in text
    assert "forest" in text or "pines" in text or "trees" in text
    assert all("\n" not in scene.description for scene in scenes)
    assert all(0 < len(scene.caption) <= 64 for scene in scenes)


def test_prompt_words_choose_setting_light_and_motifs() -> None:
    fox = write_script(FOX, "", 15)[0]
    assert (fox.setting, fox.time_of_day, fox.motifs) == ("forest", "dawn", ("snow",))
    city = write_script("Neon city streets in the rain at night", "", 15)[0]
    assert (city.setting, city.time_of_day) == ("city", "night")
    assert set(city.motifs) == {"neon", "rain"}
    odd = write_script("A cup of coffee on a wooden desk", "", 15)[0]
    assert odd.setting == "dreamscape"
    assert odd.time_of_day in ("day", "sunset", "dawn")


def test_long_prompts_stay_one_short_line() -> None:
    prompt = "A very long prompt " + "with many words " * 120
    scenes = write_script(prompt, "", 15)
    assert len(scenes[0].description) < 200
    assert scenes[0].caption.endswith("…")


def test_scenes_survive_pickling_into_worker_processes() -> None:
    scenes = write_script(FOX, "vivid", 15)
    assert pickle.loads(pickle.dumps(scenes)) == scenes
