"""Each client command, start to end: the calls to the backend through the one contract client
(``services.client``), what it prints, and its exit code.

Output goes one of three ways, chosen once: ``live`` (standard output is a terminal: rich
draws), ``plain`` (a pipe: one line per stage) or ``json`` (``--json``: one object per line).
Errors go to standard error as one line each (``outcome``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from rich.console import Console

from services.client import (
    AuroraClient,
    AuroraError,
    CancelNotSupported,
    DeleteNotSupported,
    Done,
    JobNotFound,
    NotSupported,
    QueueNotSupported,
    RequestRejected,
    RetryNotSupported,
)
from services.contract import GenerateRequest, JobStatus
from services.terminal import job_table
from services.terminal.download import download_video
from services.terminal.outcome import (
    CommandFailed,
    ExitCode,
    exit_code_for,
    message_for,
    say_error,
)
from services.terminal.progress_views import (
    Ending,
    JsonView,
    LiveView,
    PlainView,
    ProgressView,
    Watched,
    print_json,
)

Output = Literal["live", "plain", "json"]

# What a 405 (or a 404 for a job that exists) means for each action on one job.
UNSUPPORTED: dict[str, type[NotSupported]] = {
    "cancel": CancelNotSupported, "retry": RetryNotSupported, "delete": DeleteNotSupported,
    "run-next": QueueNotSupported}
FROM_THE_START = "0"  # event ids increase per job from 1: resuming after 0 replays every stage


def run(args: argparse.Namespace) -> int:
    """Run the client command ``args`` names; its exit code."""
    session = Session(args)
    try:
        return asyncio.run(session.run())
    except KeyboardInterrupt:
        session.interrupted()
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader stopped reading (| head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own recipe
        return ExitCode.DONE


class Session:
    """One command's run: its output, and the job it follows, if any (named after Ctrl-C)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.output: Output = ("json" if args.json
                               else "live" if sys.stdout.isatty() else "plain")
        self.console = Console()
        self.watching: str | None = None

    async def run(self) -> int:
        """The command, its errors turned into one line and an exit code."""
        commands: dict[str, Callable[[AuroraClient], Awaitable[int]]] = {
            "generate": self.generate, "watch": self.watch, "jobs": self.jobs,
            "download": self.download}
        command = commands.get(self.args.command, self.act_on_job)
        token = os.environ.get("AURORA_API_TOKEN") or None
        async with AuroraClient(self.args.api_url, token=token) as client:
            try:
                return await command(client)
            except AuroraError as error:
                say_error(message_for(error))
                return exit_code_for(error)
            except CommandFailed as failure:
                say_error(str(failure))
                return failure.code

    def interrupted(self) -> None:
        """After Ctrl-C: the job goes on, and this is how to come back to it."""
        if self.watching is not None:
            say_error(f"Stopped watching; job {self.watching} keeps running. "
                      f"Watch it again: python main.py watch {self.watching}")

    async def generate(self, client: AuroraClient) -> int:
        """Submit the job; then, unless ``--no-wait``, watch it from its first stage."""
        args = self.args
        try:
            request = GenerateRequest(prompt=args.prompt, duration=args.duration,
                                      aspect_ratio=args.aspect_ratio, style=args.style,
                                      webhook_url=args.webhook_url)
        except ValidationError as error:
            problem = error.errors()[0]
            field = ".".join(str(part) for part in problem["loc"])
            reason = problem["msg"].removeprefix("Value error, ")
            raise CommandFailed(f"Invalid {field}: {reason}", ExitCode.BAD_ARGUMENT) from None
        job = await client.generate(request)
        if args.no_wait:
            self.say(job.job_id, {"job_id": job.job_id, "status": job.status})
            return ExitCode.DONE
        self.say(f"Job {job.job_id} submitted",
                 {"event": "submitted", "job_id": job.job_id, "status": job.status})
        return await self.follow(client, job.job_id, last_event_id=FROM_THE_START)

    async def watch(self, client: AuroraClient) -> int:
        """Follow a job the backend knows until it ends."""
        await client.get_job(self.args.job_id)  # an unknown job: one clear line, exit 2
        return await self.follow(client, self.args.job_id)

    async def follow(self, client: AuroraClient, job_id: str, *,
                     last_event_id: str | None = None) -> int:
        """Show the job's progress stream until ``done`` (reconnecting as the client does);
        0 when it completed, 1 with the backend's reason when it failed, 3 when the
        connection could not be brought back."""
        watched = Watched(job_id)
        self.watching = job_id
        async with client.progress(job_id, last_event_id=last_event_id) as stream:
            with self.progress_view(watched) as view:
                async for event in stream:
                    watched.take(event)
                    view.show(event)
                    if isinstance(event, Done):
                        ending = await _ending(client, watched, event.status)
                        view.finish(ending)
                        return _exit_code_of(ending)
        # A stream's last event is ``done`` or, as here, ``ConnectionFailed``.
        raise CommandFailed(f"{watched.notice}. Watch it again: python main.py watch {job_id}",
                            ExitCode.UNREACHABLE)

    async def jobs(self, client: AuroraClient) -> int:
        """The jobs, newest first, of the status, words and owner asked for."""
        args = self.args
        owner = await _own_name(client) if args.mine else None
        listing = await client.list_jobs(status=args.status, q=args.search, owner=owner)
        if self.output == "json":
            job_table.print_json_jobs(listing.jobs)
        elif self.output == "live":
            job_table.print_table(listing.jobs, self.console)
        else:
            job_table.print_plain_table(listing.jobs)
        if self.output != "json" and listing.total is not None and listing.total > len(
                listing.jobs):
            print(f"… the newest {len(listing.jobs)} of {listing.total}", file=sys.stderr)
        return ExitCode.DONE

    async def act_on_job(self, client: AuroraClient) -> int:
        """``cancel``, ``retry``, ``delete`` or ``run-next``, as the ``/jobs`` page does."""
        name, job_id = self.args.command, self.args.job_id
        try:
            text, answer = await _act(client, name, job_id)
        except JobNotFound:
            # A backend without the route answers 404 too: if the job is there, that is it.
            await client.get_job(job_id)
            raise UNSUPPORTED[name]() from None
        self.say(text, answer)
        return ExitCode.DONE

    async def download(self, client: AuroraClient) -> int:
        """The finished video into ``-o FILE`` (default ``JOB.mp4``)."""
        job_id = self.args.job_id
        target = Path(self.args.output or f"{job_id}.mp4")
        console = self.console if self.output == "live" else None
        size = await download_video(client, job_id, target, console=console)
        self.say(f"Saved {target} ({size / 1e6:.1f} MB)",
                 {"job_id": job_id, "file": str(target), "bytes": size})
        return ExitCode.DONE

    def progress_view(self, watched: Watched) -> ProgressView:
        """The view this session's output calls for."""
        if self.output == "json":
            return JsonView(watched)
        if self.output == "live":
            return LiveView(watched, self.console)
        return PlainView(watched)

    def say(self, text: str, value: dict[str, object]) -> None:
        """One result: ``text`` as a line, or ``value`` as a JSON line with ``--json``."""
        if self.output == "json":
            print_json(value)
        else:
            print(text, flush=True)


async def _act(client: AuroraClient, name: str, job_id: str
               ) -> tuple[str, dict[str, object]]:
    """Do ``name`` to the job: what to say, in words and as JSON."""
    if name == "cancel":
        cancelled = await client.cancel(job_id)
        return (f"Cancelling job {job_id}: it ends as failed (\"Cancelled by user\")",
                cancelled.model_dump(mode="json"))
    if name == "retry":
        retried = await client.retry(job_id)
        return (f"Job {job_id} is queued again (attempt {retried.attempt or '?'}); "
                f"watch it: python main.py watch {job_id}", retried.model_dump(mode="json"))
    if name == "run-next":
        moved = await client.run_next(job_id)
        return (f"Job {job_id} starts before your other waiting jobs",
                moved.model_dump(mode="json"))
    await client.delete_job(job_id)
    return f"Deleted job {job_id} and its files", {"job_id": job_id, "deleted": True}


def _exit_code_of(ending: Ending) -> ExitCode:
    """0 for a video made; 1, with the backend's reason said, for a job that failed."""
    if ending.completed:
        return ExitCode.DONE
    say_error(f"Job {ending.job_id} failed: {ending.error}")
    return ExitCode.FAILED


async def _ending(client: AuroraClient, watched: Watched, status: str) -> Ending:
    """How the job ended; a failure's reason from its last update, else from the job."""
    error = watched.state.error if watched.state is not None else None
    if status != JobStatus.COMPLETED and not error:
        try:
            error = (await client.get_job(watched.job_id)).error
        except AuroraError:
            error = None
    return Ending(watched.job_id, status, error or ("" if status == JobStatus.COMPLETED
                                                    else "Generation failed"))


async def _own_name(client: AuroraClient) -> str:
    """The user the token names, for ``--mine``."""
    try:
        name = (await client.me()).name
    except RequestRejected as error:
        if error.status_code not in (404, 405):
            raise
        name = None
    if name is None:
        raise CommandFailed("This backend does not know who you are, so --mine cannot pick "
                            "your jobs (it needs accounts, and AURORA_API_TOKEN set to one "
                            "of your tokens)", ExitCode.BAD_ARGUMENT)
    return name
