"""``download``: a job's finished video into a file, through the same client and its asset URLs
as the dashboard's player, with a rich progress bar on a terminal.

The bytes go to ``FILE.part`` first and are renamed once all have come, so a broken download
never leaves something that looks like the video.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from services.client import AuroraClient
from services.client.errors import error_for_status, mapped_errors
from services.contract import JobStatus
from services.terminal.outcome import CommandFailed


async def download_video(client: AuroraClient, job_id: str, target: Path, *,
                         console: Console | None) -> int:
    """Save the job's final video as ``target``; the number of bytes written. A progress bar
    is drawn on ``console`` when given."""
    job = await client.get_job(job_id)
    video = job.assets.final_video if job.assets is not None else None
    if job.status != JobStatus.COMPLETED or video is None:
        raise CommandFailed(f"Job {job_id} has no finished video (it is {job.status})")
    url = client.asset_url(video.url)
    if url is None:
        raise CommandFailed(f"The backend gave no usable address for job {job_id}'s video")
    partial = target.with_name(target.name + ".part")
    response = await client.open_asset(url)
    try:
        if response.is_error:
            await response.aread()
            raise error_for_status(response)
        size = int(response.headers.get("Content-Length", 0)) or None
        written = 0
        with _bar(console) as bar, partial.open("wb") as file, mapped_errors(client.base_url):
            task = bar.add_task("download", total=size) if bar is not None else None
            async for chunk in response.aiter_bytes():
                file.write(chunk)
                written += len(chunk)
                if bar is not None and task is not None:
                    bar.update(task, completed=written)
        partial.replace(target)
        return written
    finally:
        await response.aclose()
        partial.unlink(missing_ok=True)


def _bar(console: Console | None) -> AbstractContextManager[Progress | None]:
    """Rich's download bar (size, speed, time left), or nothing off a terminal."""
    if console is None:
        return nullcontext()
    return Progress(BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                    console=console)
