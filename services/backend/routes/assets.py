"""Signed media downloads from the local media store, with HTTP Range so a ``<video>`` can
seek. (An object store serves its files itself, by presigned URL; this route then has none.)

The job id and file name are checked against strict patterns and the resolved path must lie
inside the media dir, so no request can reach any other file.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from services.backend.deps import Backend
from services.backend.media import FILE_NAME, media_type
from services.contract import is_valid_job_id

router = APIRouter(tags=["assets"])


@router.get("/assets/{job_id}/{name}", response_model=None)
async def asset(job_id: str, name: str, expires: int, sig: str,
                backend: Backend) -> FileResponse | JSONResponse:
    """One media file of a job, if the URL's signature is ours and not expired."""
    media = backend.local_media
    if media is None or not is_valid_job_id(job_id) or FILE_NAME.fullmatch(name) is None:
        return JSONResponse({"detail": "Asset not found"}, status_code=404)
    if not media.signer.verify(job_id, name, expires, sig):
        return JSONResponse({"detail": "Invalid or expired signature"}, status_code=403)
    media_dir = media.media_dir.resolve()
    path = (media_dir / job_id / name).resolve()
    if not path.is_relative_to(media_dir) or not path.is_file():
        return JSONResponse({"detail": "Asset not found"}, status_code=404)
    return FileResponse(path, media_type=media_type(name),
                        headers={"Cache-Control": "private, max-age=3600"})
