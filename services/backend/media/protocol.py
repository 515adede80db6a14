"""What the backend needs from a media store: a place to render a job's files, and URLs.

Renders write into a local work folder (``workdir``); ``put`` makes a finished file the job's
own, and only then does any client see it. Clients fetch files by expiring URLs, never through
the job routes. An engine raises ``MediaUnavailable`` (its own error as the cause) when it
cannot reach its store, so callers never see an engine's exception types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(mp4|jpg|m4a)$")
_MEDIA_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "m4a": "audio/mp4"}


def media_type(name: str) -> str:
    """The content type of a job's file, by its extension (names match ``FILE_NAME``)."""
    return _MEDIA_TYPES[name.rsplit(".", 1)[-1]]


def parse_media_url(url: str) -> tuple[str, str]:
    """``s3://bucket/optional/prefix`` as the bucket and the key prefix ("" or ending in /)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("must look like s3://bucket or s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


class MediaUnavailable(Exception):
    """The media store could not be reached or written this time."""


class MediaStore(Protocol):
    """Every job's media files: written locally by the renders, kept and served by the store."""

    async def open(self) -> None:
        """Get ready to store files (an object store's bucket is created when missing)."""

    def workdir(self, job_id: str) -> Path:
        """The local folder the job's renders write into (created when missing)."""

    async def put(self, job_id: str, name: str) -> None:
        """Keep ``workdir(job_id) / name``, now whole, as the job's file ``name``."""

    async def fetch(self, job_id: str, name: str) -> Path:
        """A local copy of the job's file ``name``, for a step that reads it."""

    def url(self, job_id: str, name: str) -> str:
        """An expiring URL a client fetches the job's file ``name`` by."""

    async def release(self, job_id: str) -> None:
        """The job's renders are over: drop the local copies the store no longer needs."""

    async def delete(self, job_id: str) -> None:
        """Remove every file of the job, kept and local; its URLs stop working."""

    async def close(self) -> None:
        """Let go of the store's connections."""
