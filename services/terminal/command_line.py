"""The terminal client's commands and flags (``main.py`` adds them beside its own).

Only ``argparse`` is imported here: ``main.py`` builds its parser in every process it starts.
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

from services.contract import ASPECT_RATIOS, DEFAULT_ASPECT_RATIO, DURATIONS

DEFAULT_API_URL = "http://127.0.0.1:8080"  # the dashboard's embedded backend (make run)
_JOB_ACTIONS = {"cancel": "stop a waiting or running job",
                "retry": "run a failed job again, keeping the scenes it made",
                "delete": "remove an ended job and every file it made",
                "run-next": "move a waiting job ahead of your other waiting jobs"}


def add_client_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The client's commands, each with ``--api-url`` and ``--json``."""
    generate = _command(commands, "generate", "make a video, then watch it being made")
    generate.add_argument("prompt", metavar="PROMPT", help="what the video shows")
    generate.add_argument("--duration", type=int, choices=DURATIONS, default=DURATIONS[0],
                          help="seconds of video (default %(default)s)")
    generate.add_argument("--aspect-ratio", choices=ASPECT_RATIOS, default=DEFAULT_ASPECT_RATIO,
                          help="the picture's shape (default %(default)s)")
    generate.add_argument("--style", default="", help="a style, e.g. cinematic")
    generate.add_argument("--webhook-url", metavar="URL",
                          help="where the backend POSTs the job's end (a host it allows)")
    generate.add_argument("--no-wait", action="store_true",
                          help="print the job id and leave, without watching")
    _job_argument(_command(commands, "watch", "follow a job live until it ends"))
    jobs = _command(commands, "jobs", "the jobs, newest first")
    jobs.add_argument("--status", choices=("pending", "processing", "completed", "failed"),
                      help="only jobs in this status")
    jobs.add_argument("--search", help="only jobs with all these words in prompt or style")
    jobs.add_argument("--mine", action="store_true", help="only your own jobs")
    for name, help_text in _JOB_ACTIONS.items():
        _job_argument(_command(commands, name, help_text))
    download = _command(commands, "download", "save a job's finished video")
    _job_argument(download)
    download.add_argument("-o", "--output", metavar="FILE",
                          help="where to save it (default JOB.mp4 here)")


def _command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
             help_text: str) -> argparse.ArgumentParser:
    """One client command with the flags every one of them takes."""
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.add_argument("--api-url", type=backend_url,
                         default=os.environ.get("AURORA_API_URL", DEFAULT_API_URL),
                         help="the backend (default AURORA_API_URL, else %(default)s); "
                              "AURORA_API_TOKEN is sent as its bearer token")
    command.add_argument("--json", action="store_true",
                         help="one JSON object per line instead of text")
    return command


def backend_url(text: str) -> str:
    """An http(s) URL with a host; anything else is a bad argument (exit 2), not a backend
    that cannot be reached."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a backend's address such as {DEFAULT_API_URL}")
    return text


def _job_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("job_id", metavar="JOB", help="the job's id")
