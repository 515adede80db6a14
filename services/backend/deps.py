"""What every route needs: the backend's parts, and the JSON 404 answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from services.backend.feed import JobFeed
from services.backend.pipeline import JobRunner
from services.backend.signing import AssetSigner
from services.backend.store import JobStore


@dataclass(frozen=True)
class BackendParts:
    """The embedded backend's collaborators, shared by its routes."""

    store: JobStore
    feed: JobFeed
    runner: JobRunner
    signer: AssetSigner
    media_dir: Path
    keepalive_seconds: float


def _parts(request: Request) -> BackendParts:
    parts: BackendParts = request.app.state.aurora_backend
    return parts


Backend = Annotated[BackendParts, Depends(_parts)]


def not_found() -> JSONResponse:
    """The contract's 404: a JSON body, never a page or a stream."""
    return JSONResponse({"detail": "Job not found"}, status_code=404)
