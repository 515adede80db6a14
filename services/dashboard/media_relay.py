"""``MediaRelay``: the backend's pictures and videos, served from the dashboard's own origin.

The browser never talks to the backend (``dashboard-spec.md``, "Many tabs, many jobs"), so a
backend the browser cannot reach still shows its thumbnails and plays its videos. A page names
each asset by a path under ``/media`` that carries the backend's URL and the dashboard's
signature of it; the relay streams the asset through, Range requests and all. The signature
means the relay fetches only URLs that the dashboard itself put in a page: it is no open proxy.

Signed asset URLs expire (an hour, for the embedded backend), and a page stays open longer:
a path that also names its job gets a fresh URL for the same file from the backend when the
old one is refused, so a video left open for an afternoon still seeks.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlencode, urlsplit

import httpx
from fastapi import FastAPI, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from services.client import AuroraClient, AuroraError

log = logging.getLogger(__name__)

MEDIA_PATH = "/media"
# what the browser may ask of the asset, and what it is told about the answer
_ASKED = ("range", "if-range", "if-none-match", "if-modified-since")
_TOLD = ("content-type", "content-length", "content-range", "content-encoding", "accept-ranges",
         "etag", "last-modified", "cache-control")
# assets never change once listed; their signed URLs outlive a page view by far
_CACHE_CONTROL = "private, max-age=3600"
_EXPIRED = frozenset({401, 403})  # how presigned URLs past their time are refused
_SHORTER_THAN_SAID = "Response content shorter than Content-Length"  # uvicorn's words


class MediaRelay:
    """Turns the backend's asset URLs into dashboard paths, and serves those paths."""

    def __init__(self, client: AuroraClient, *, secret: bytes | None = None) -> None:
        self._client = client
        self._secret = secret or secrets.token_bytes(32)

    def path_for(self, url: str, *, job_id: str = "") -> str | None:
        """The dashboard path that serves the asset at ``url`` (as the backend gave it, for the
        job ``job_id`` if known), or None for a URL that is not http(s)
        (``AuroraClient.asset_url``), which nothing shows."""
        absolute = self._client.asset_url(url)
        if absolute is None:
            return None
        query = {"url": absolute, "job": job_id, "sig": self._sign(absolute, job_id)}
        return f"{MEDIA_PATH}?{urlencode(query)}"

    def install(self, app: FastAPI) -> None:
        """Serve ``/media`` from ``app``."""
        app.add_api_route(MEDIA_PATH, self.serve, methods=["GET"], include_in_schema=False)
        logging.getLogger("uvicorn.error").addFilter(_said_in_one_line)

    async def serve(self, request: Request) -> Response:
        """Stream the asset a ``path_for`` path names; 404 for any other."""
        url, job_id = request.query_params.get("url", ""), request.query_params.get("job", "")
        signature = request.query_params.get("sig", "")
        if not hmac.compare_digest(signature.encode(), self._sign(url, job_id).encode()):
            return PlainTextResponse("No such media", status_code=404)
        asked = {name: value for name in _ASKED if (value := request.headers.get(name))}
        try:
            upstream = await self._client.open_asset(url, headers=asked)
            if upstream.status_code in _EXPIRED and job_id:
                fresh = await self._fresh_url(job_id, url)
                if fresh is not None:
                    await upstream.aclose()
                    upstream = await self._client.open_asset(fresh, headers=asked)
        except AuroraError as error:
            return PlainTextResponse(str(error), status_code=502)
        told = {name: value for name in _TOLD if (value := upstream.headers.get(name))}
        told.setdefault("cache-control", _CACHE_CONTROL)
        return _Relayed(upstream, told)

    async def _fresh_url(self, job_id: str, stale: str) -> str | None:
        """The URL the backend gives now for the job's file at ``stale``: the same scheme,
        host and path; only the query (its signature) differs. None if it lists no such file."""
        try:
            assets = (await self._client.get_job(job_id)).assets
        except AuroraError:
            return None
        listed = [] if assets is None else [
            *assets.scene_clips, *assets.thumbnails, assets.audio, assets.final_video]
        for asset in listed:
            fresh = self._client.asset_url(asset.url) if asset is not None else None
            if fresh is not None and _same_file(fresh, stale):
                return fresh
        return None

    def _sign(self, url: str, job_id: str) -> str:
        signed = f"{job_id}\n{url}".encode()
        return hmac.new(self._secret, signed, hashlib.sha256).hexdigest()


def _same_file(url: str, other: str) -> bool:
    """Whether two URLs name the same file, whatever their queries say."""
    return urlsplit(url)[:3] == urlsplit(other)[:3]


def _said_in_one_line(record: logging.LogRecord) -> bool:
    """Drop uvicorn's traceback for an answer shorter than it said it would be.

    Only the relay gives such answers: it declares the asset's length, and when the backend
    breaks off halfway it logs one line and ends the answer. uvicorn then closes the connection
    (so the browser knows the answer is short, and asks again) and logs a traceback as well:
    NiceGUI's HTTP middleware ends every answer, so the relay cannot leave it unfinished.
    """
    error = record.exc_info[1] if record.exc_info else None
    return not (isinstance(error, RuntimeError) and str(error) == _SHORTER_THAN_SAID)


class _Relayed(StreamingResponse):
    """The upstream answer's body, passed on as it comes; the upstream connection is closed
    however the answer ends, the browser going away halfway included."""

    def __init__(self, upstream: httpx.Response, headers: dict[str, str]) -> None:
        super().__init__(upstream.aiter_raw(), status_code=upstream.status_code, headers=headers)
        self._upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except httpx.HTTPError as error:  # the backend went away halfway: a fault, not a bug
            log.warning("media from %s cut short: %r", self._upstream.url, error)
        finally:
            await self._upstream.aclose()
