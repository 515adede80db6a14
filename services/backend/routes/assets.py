"""Signed media downloads, with HTTP Range so a ``<video>`` can seek.

The job id and file name are checked against strict patterns and the resolved path must lie
inside the media dir, so no request can reach any other file.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from services.backend.deps import Backend
from services.contract import is_valid_job_id

router = APIRouter(tags=["assets"])
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(mp4|jpg|m4a)$")
_MEDIA_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "m4a": "audio/mp4"}


@router.get("/assets/{job_id}/{name}", response_model=None)
async def asset(job_id: str, name: str, expires: int, sig: str,
                backend: Backend) -> FileResponse | JSONResponse:
    """One media file of a job, if the URL's signature is ours and not expired."""
    match = _FILE_NAME.fullmatch(name)
    if not is_valid_job_id(job_id) or match is None:
        return JSONResponse({"detail": "Asset not found"}, status_code=404)
    if not backend.signer.verify(job_id, name, expires, sig):
        return JSONResponse({"detail": "Invalid or expired signature"}, status_code=403)
    media_dir = backend.media_dir.resolve()
    path = (media_dir / job_id / name).resolve()
    if not path.is_relative_to(media_dir) or not path.is_file():
        return JSONResponse({"detail": "Asset not found"}, status_code=404)
    return FileResponse(path, media_type=_MEDIA_TYPES[match.group(1)],
                        headers={"Cache-Control": "private, max-age=3600"})
