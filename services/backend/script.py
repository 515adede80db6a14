"""The script: a prompt becomes a short list of scenes, offline and deterministically.

No model and no network: the prompt's words are matched against small vocabularies
(where, when, what else is in the picture) and the scenes follow a film's grammar, an
establishing shot, a few closer shots, a closing shot. The same prompt, style and
duration always give the same script, so a job can be re-rendered in any process.

A ``Scene`` holds only primitives and tuples: it is pickled into spawned render workers.
The renderer turns its ``setting``, ``time_of_day``, ``motifs`` and ``seed`` into pictures.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

SECONDS_PER_SCENE = 6
CAPTION_MAX_CHARS = 64
PROMPT_IN_DESCRIPTION_MAX_CHARS = 110


def vocabulary(text: str) -> frozenset[str]:
    """The words of ``text`` as a set, for the tables below."""
    return frozenset(text.split())


# Where the film takes place; the first setting (in this order) with a word in the prompt
# wins, "dreamscape" (colours from a hash of the words) when none has.
SETTING_WORDS: dict[str, frozenset[str]] = {
    "space": vocabulary(
        "space galaxy galaxies nebula planet planets cosmos cosmic astronaut orbit spaceship "
        "rocket asteroid asteroids universe"
    ),
    "city": vocabulary(
        "city cities street streets downtown skyline urban skyscraper skyscrapers building "
        "buildings cyberpunk metropolis alley traffic rooftop rooftops tokyo"
    ),
    "ocean": vocabulary(
        "ocean oceans sea seas beach beaches wave waves surf coast shore tropical island lagoon "
        "harbor bay seaside sail boat lake"
    ),
    "desert": vocabulary("desert deserts dune dunes sand sandy sahara canyon mesa cactus oasis"),
    "mountains": vocabulary(
        "mountain mountains peak peaks alps summit cliff cliffs ridge valley glacier volcano"
    ),
    "forest": vocabulary(
        "forest forests woods woodland tree trees pine pines jungle grove rainforest"
    ),
    "meadow": vocabulary(
        "meadow meadows field fields hill hills grass countryside farm garden flowers prairie park"
    ),
}

# The light of the film; the first such word in the prompt wins.
TIME_WORDS: dict[str, frozenset[str]] = {
    "dawn": vocabulary("dawn sunrise morning daybreak"),
    "sunset": vocabulary("sunset dusk evening twilight golden"),
    "night": vocabulary(
        "night nights midnight moon moonlit moonlight stars starry starlit nocturnal neon cyberpunk"
    ),
    "day": vocabulary("day noon midday afternoon sunny bright summer"),
}
DEFAULT_TIMES = ("day", "sunset", "dawn")

# Things in the air or in the picture besides the landscape, in prompt order.
MOTIF_WORDS: dict[str, frozenset[str]] = {
    "snow": vocabulary(
        "snow snowy snowing winter blizzard frost frosty frozen ice icy snowfall snowflakes"
    ),
    "rain": vocabulary("rain rainy raining storm stormy drizzle wet monsoon thunder"),
    "fire": vocabulary(
        "fire fires flame flames campfire ember embers burning lava volcano bonfire torch"
    ),
    "fireflies": vocabulary("firefly fireflies magic magical fairy lanterns"),
    "palms": vocabulary("tropical palm palms island paradise"),
    "neon": vocabulary("neon cyberpunk"),
    "fog": vocabulary("fog foggy mist misty haze hazy"),
    "birds": vocabulary("bird birds flock eagle seagull seagulls gulls crows"),
    "petals": vocabulary("blossom blossoms petals sakura cherry"),
    "autumn": vocabulary("autumn fall leaves maple october"),
}

# What a closer shot shows, by the setting, motif or light it illustrates.
DETAIL_PHRASES: dict[str, tuple[str, ...]] = {
    "space": ("distant stars drifting past", "a planet hanging in the dark"),
    "city": ("towers stacked against the sky", "lit windows across the facades"),
    "ocean": ("waves rolling toward the shore", "light glittering on the water"),
    "desert": ("dunes rippling to the horizon", "wind shaping the sand"),
    "mountains": ("jagged peaks fading into the haze", "ridges layered one behind another"),
    "forest": ("tall pines sliding past in layers", "light breaking through the trees"),
    "meadow": ("rolling hills under an open sky", "grass swaying in the breeze"),
    "dreamscape": ("shapes drifting in soft light", "colours blending on the horizon"),
    "snow": ("snowflakes drifting through the cold air", "fresh snow catching the light"),
    "rain": ("rain streaking through the light", "puddles shimmering with reflections"),
    "fire": ("embers rising into the dark", "the warm glow of the flames"),
    "fireflies": ("fireflies blinking in the dusk",),
    "palms": ("palm fronds swaying against the sky",),
    "neon": ("neon signs glowing in the haze",),
    "fog": ("mist drifting between the layers",),
    "birds": ("birds gliding across the sky",),
    "petals": ("petals drifting on the breeze",),
    "autumn": ("leaves turning gold and red",),
    "dawn": ("the first warm light on the horizon",),
    "sunset": ("the sun sinking low and golden",),
    "night": ("the night sky, deep and still",),
    "day": ("clouds drifting across a bright sky",),
}

CLOSING_CAPTIONS: dict[str, str] = {
    "dawn": "A new day begins",
    "day": "The journey goes on",
    "sunset": "The last light fades",
    "night": "The night goes on",
}

# Shots between the first (establishing) and the last (closing), in turn.
MIDDLE_SHOTS = ("detail", "tracking", "crane")

PREPOSITIONS = vocabulary(
    "in on at through across over under into along by near with from beneath above among "
    "around toward towards past between behind during inside onto underneath beside amid "
    "while as"
)
ARTICLES = vocabulary("a an the")
DETERMINERS = ARTICLES | vocabulary("this that these those some two three many my our")


@dataclass(frozen=True)
class Scene:
    """One shot of the film: what people read about it and what the renderer draws."""

    number: int  # 1-based
    description: str  # one line of the script, shown to users
    caption: str  # short on-screen text
    duration: float  # seconds; every scene of a script has the same
    shot: str  # "establishing" | "detail" | "tracking" | "crane" | "closing"
    setting: str  # a key of SETTING_WORDS, or "dreamscape"
    time_of_day: str  # a key of TIME_WORDS
    motifs: tuple[str, ...]  # keys of MOTIF_WORDS found in the prompt, in prompt order
    hue: float  # 0..1 from a hash of the prompt: tints the palette, colours a dreamscape
    seed: int  # varies the shapes from scene to scene, same for the same prompt
    progress: float  # 0 for the first scene .. 1 for the last: light moves along the film


def scene_count(duration: int) -> int:
    """How many scenes a video of ``duration`` seconds has: 15 -> 3, 30 -> 5, 60 -> 10."""
    return max(1, math.ceil(duration / SECONDS_PER_SCENE))


def write_script(prompt: str, style: str, duration: int) -> list[Scene]:
    """The scenes of a ``duration``-second video of ``prompt``, the same every time.

    ``style`` changes the look, not the story; it only feeds the seed, so two styles of one
    prompt get different shapes.
    """
    words = _words(prompt)
    digest = hashlib.sha256(f"{prompt.strip().lower()}|{style.strip().lower()}".encode()).digest()
    prompt_seed = int.from_bytes(digest[:8], "big")
    setting = _first_match(words, SETTING_WORDS) or "dreamscape"
    time_of_day = _first_match(words, TIME_WORDS) or DEFAULT_TIMES[digest[8] % len(DEFAULT_TIMES)]
    motifs = _motifs(words)
    subject = _subject(words, setting)
    sentence = _sentence(prompt)
    phrases = _detail_phrases(setting, motifs, time_of_day, rotation=digest[9])
    count = scene_count(duration)

    scenes = []
    for index in range(count):
        shot = _shot(index, count)
        phrase = phrases[index % len(phrases)]
        description, caption = _lines(shot, sentence, subject, phrase, time_of_day)
        scenes.append(
            Scene(
                number=index + 1,
                description=description,
                caption=caption,
                duration=duration / count,
                shot=shot,
                setting=setting,
                time_of_day=time_of_day,
                motifs=motifs,
                hue=digest[10] / 255,
                seed=(prompt_seed + 7919 * (index + 1)) % 2**63,
                progress=index / (count - 1) if count > 1 else 0.0,
            )
        )
    return scenes


def _words(prompt: str) -> list[str]:
    """The prompt's words, lower case, without punctuation."""
    return re.findall(r"[a-z0-9']+", prompt.lower())


def _first_match(words: list[str], vocabularies: dict[str, frozenset[str]]) -> str | None:
    """The first vocabulary (in the table's order) that one of ``words`` belongs to."""
    present = set(words)
    return next((name for name, vocabulary in vocabularies.items() if vocabulary & present), None)


def _motifs(words: list[str]) -> tuple[str, ...]:
    """The motifs found in ``words``, each once, in the order the prompt names them."""
    found: list[str] = []
    for word in words:
        for motif, vocabulary in MOTIF_WORDS.items():
            if word in vocabulary and motif not in found:
                found.append(motif)
    return tuple(found)


def _subject(words: list[str], setting: str) -> str:
    """What the film follows, as "the ...": the words before the first preposition.

    "A fox runs through ..." gives "the fox", "Waves crashing on ..." gives "the waves".
    A trailing verb is dropped by shape (-ing, or -s after "a/the + noun"); no grammar.
    """
    head: list[str] = []
    for word in words:
        if word in PREPOSITIONS:
            break
        head.append(word)
    if len(head) > 1 and head[-1].endswith("ing"):
        head.pop()
    if len(head) == 3 and head[0] in ARTICLES and head[-1].endswith("s"):
        head.pop()
    if not head or len(head) > 5:
        return "the " + ("scene" if setting == "dreamscape" else setting)
    if head[0] in ARTICLES:
        head[0] = "the"
    elif head[0] not in DETERMINERS:
        head.insert(0, "the")
    return " ".join(head)


def _sentence(prompt: str) -> str:
    """The prompt as a clause to quote: one line, no end punctuation, not too long."""
    text = " ".join(prompt.split()).rstrip(".!?;:, ")
    text = _shorten(text, PROMPT_IN_DESCRIPTION_MAX_CHARS)
    first, _, rest = text.partition(" ")
    if first.lower() in ARTICLES:
        text = f"{first.lower()} {rest}".rstrip()
    return text


def _detail_phrases(
    setting: str, motifs: tuple[str, ...], time_of_day: str, *, rotation: int
) -> list[str]:
    """Closer-shot phrases for this prompt: its motifs first, then its setting and light."""
    phrases: list[str] = []
    for key in (*motifs, setting, time_of_day):
        phrases.extend(p for p in DETAIL_PHRASES.get(key, ()) if p not in phrases)
    shift = rotation % len(phrases)
    return phrases[shift:] + phrases[:shift]


def _shot(index: int, count: int) -> str:
    """The shot kind at ``index``: establishing first, closing last, closer shots between."""
    if index == 0:
        return "establishing"
    if index == count - 1:
        return "closing"
    return MIDDLE_SHOTS[(index - 1) % len(MIDDLE_SHOTS)]


def _lines(
    shot: str, sentence: str, subject: str, phrase: str, time_of_day: str
) -> tuple[str, str]:
    """The description and the caption of one shot."""
    if shot == "establishing":
        return (
            f"Establishing shot: {sentence}, seen wide as the camera slowly pans",
            _shorten(_capitalised(sentence), CAPTION_MAX_CHARS),
        )
    if shot == "closing":
        return (
            f"Closing shot: {subject} and {phrase}, as the picture fades to black",
            CLOSING_CAPTIONS[time_of_day],
        )
    description = {
        "detail": f"Detail shot: {phrase}, close on {subject}",
        "tracking": f"Tracking shot: following {subject}, {phrase}",
        "crane": f"Crane shot: rising above {subject}, {phrase}",
    }[shot]
    return description, _shorten(_capitalised(phrase), CAPTION_MAX_CHARS)


def _capitalised(text: str) -> str:
    """``text`` with its first letter in upper case (the rest untouched)."""
    return text[:1].upper() + text[1:]


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:- ")
    return cut + "…"
