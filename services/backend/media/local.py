"""The local media store (the default): files in the data dir, served by the backend itself.

A render's work folder is the job's media folder, so keeping a finished file costs nothing;
its URLs are the backend's own signed ``/api/v1/assets`` URLs (``signing.py``), which the
assets route checks and serves.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from services.backend.signing import AssetSigner


class LocalMedia:
    """Each job's files in ``media_dir / job_id``."""

    def __init__(self, media_dir: Path, signer: AssetSigner) -> None:
        self.media_dir = media_dir
        self.signer = signer

    async def open(self) -> None:
        """Make the media dir."""
        self.media_dir.mkdir(parents=True, exist_ok=True)

    def workdir(self, job_id: str) -> Path:
        """The job's media folder itself."""
        path = self.media_dir / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def put(self, job_id: str, name: str) -> None:
        """Nothing to do: the render wrote the file in place (whole, by rename)."""

    async def fetch(self, job_id: str, name: str) -> Path:
        """The file where it is."""
        return self.media_dir / job_id / name

    def url(self, job_id: str, name: str) -> str:
        """A signed URL of the backend's assets route."""
        return self.signer.url(job_id, name)

    async def release(self, job_id: str) -> None:
        """Nothing to do: the files are the store."""

    async def delete(self, job_id: str) -> None:
        """Remove the job's media folder (in a thread: a folder of clips takes a while)."""
        await asyncio.to_thread(shutil.rmtree, self.media_dir / job_id, True)

    async def close(self) -> None:
        """Nothing to close."""
