"""``jobs``: the backend's jobs, newest first, as a table (rich on a terminal, aligned plain
columns when piped) or as one JSON object per job."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from services.contract import JobSummary
from services.terminal.progress_views import print_json
from services.wording import format_percent

HEADINGS = ("JOB", "STATUS", "PROGRESS", "LENGTH", "CREATED", "OWNER", "PROMPT")
PROMPT_WIDTH = 60  # a longer prompt is cut, with "…"


def job_cells(job: JobSummary) -> tuple[str, ...]:
    """One job's row, in the order of ``HEADINGS``."""
    created = (time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
               if job.created_at > 0 else "")
    prompt = " ".join(job.prompt.split())
    if len(prompt) > PROMPT_WIDTH:
        prompt = prompt[:PROMPT_WIDTH - 1] + "…"
    return (job.job_id, job.status, format_percent(job.progress),
            f"{job.duration} s" if job.duration else "", created, job.owner or "", prompt)


def print_json_jobs(jobs: Sequence[JobSummary]) -> None:
    """One JSON object per job."""
    for job in jobs:
        print_json(job.model_dump(mode="json"))


def print_table(jobs: Sequence[JobSummary], console: Console) -> None:
    """A rich table, for a terminal."""
    table = Table(*HEADINGS, header_style="bold")
    for job in jobs:
        table.add_row(*job_cells(job))
    console.print(table)


def print_plain_table(jobs: Sequence[JobSummary]) -> None:
    """Columns aligned with spaces, a heading first: for a pipe, ``grep`` and ``awk``."""
    rows = [HEADINGS, *(job_cells(job) for job in jobs)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
