"""Every address the dashboard links to or puts in the URL bar, built in one place."""

from __future__ import annotations

from urllib.parse import urlencode

CREATE = "/"
JOBS = "/jobs"
LOGIN = "/login"
LOGOUT = "/logout"
ACCOUNT = "/account"


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site (what ``/login?next=`` may send a browser to),
    else the Create page: never another site (``//host``, ``https://…``, ``/\\host``)."""
    if (not target or not target.startswith("/") or target.startswith(("//", "/\\"))
            or any(ord(char) < 0x21 for char in target)):
        return CREATE
    return target


def workspace_url(job_id: str) -> str:
    """Where a job's finished video is shown."""
    return f"/workspace/{job_id}"


def generate_again_url(job_id: str) -> str:
    """The Create page with its form filled from an earlier job."""
    return f"{CREATE}?from_job={job_id}"


def jobs_url(status: str | None = None, query: str | None = None) -> str:
    """The jobs page, showing only the jobs in the filter ``status`` and matching the search
    ``query``, for those given."""
    given = {name: value for name, value in (("status", status), ("q", query)) if value}
    return f"{JOBS}?{urlencode(given)}" if given else JOBS


def with_dialog(page: str, job_id: str) -> str:
    """``page`` (a path, perhaps with a query) with the job whose progress dialog it shows."""
    return f"{page}{'&' if '?' in page else '?'}job={job_id}"
