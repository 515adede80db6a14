"""A real backend that keeps the wire contract and misbehaves on request, for tests.

``Peer`` is the backend: FastAPI routes for generate, list, get, cancel and the SSE progress
stream (sse-starlette), each job's stream playing the steps a test scripted for it
(``testkit.peer.steps``). It records what it saw, so a test can check on the server's side:
every request (``requests``: path, ``Authorization``, ``Last-Event-ID``) and each job's open
progress connections (``Job.open_streams``).

``PeerServer`` runs peers with uvicorn on a free loopback port in a background thread, as
httpx's own test suite runs its server; ``new_peer()`` swaps in a fresh peer, so one server
can serve a whole session::

    with PeerServer() as server:
        peer = server.new_peer()
        peer.add_job("job-1", [SendUpdate(progress=10), Drop(), SendDone()])
        ...  # point a client or the dashboard at peer.url

The server thread writes what the peer records; a test reads it, with ``wait_for`` (or the
blocking ``wait_until``) where it must wait for the server. Every write is a single list, dict,
deque or attribute operation, which the GIL keeps whole, so no lock is needed.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from services.contract import GenerateRequest, has_ended
from testkit.peer.steps import (
    Drop,
    Pause,
    SendDone,
    SendError,
    SendEvent,
    SendUpdate,
    Silence,
    Step,
)

Route = Literal["generate", "jobs", "job", "cancel", "progress"]


class _Omitted:
    """The type of ``OMIT``."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omitted()  # a job field set to this is left out of everything the peer sends


@dataclass(frozen=True)
class Reply:
    """A canned answer the peer gives to one request instead of its own (after ``delay`` s)."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def invalid(cls, field_name: str, reason: str) -> Reply:
        """A 422 shaped as FastAPI's, naming ``field_name`` in the body."""
        error = {"type": "value_error", "loc": ["body", field_name], "msg": reason}
        return cls(422, {"detail": [error]})

    @classmethod
    def overloaded(cls, retry_after: int | None = None, *, status: int = 429) -> Reply:
        """A 429 (or 503) with an optional ``Retry-After`` in seconds."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls(status, {"detail": "Too many jobs"}, headers)


@dataclass(frozen=True)
class SeenRequest:
    """One request as the peer received it."""

    method: str
    path: str
    authorization: str | None
    last_event_id: str | None


@dataclass
class Job:
    """A job the peer knows: its state, the steps left to play, and what its streams did."""

    state: dict[str, Any]
    steps: deque[Step]
    cancelled: bool = False
    open_streams: int = 0
    streams_opened: int = 0
    last_id: int = 0

    @property
    def ended(self) -> bool:
        """Whether the job has completed or failed."""
        return has_ended(self.state["status"])


class _Canned(Exception):
    """Carries a queued ``Reply`` out of the route's dependencies, before body validation."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply


class Peer:
    """A contract backend whose streams play scripted steps; it records what it saw.

    Settings, read on every request so a test may change them at any time:

    - ``original_spec``: keep only the user's original spec: no cancel (405), no ``retry:``,
      no keep-alives, no ``error`` field.
    - ``retry_ms``: the ``retry:`` every stream starts with (None: none).
    - ``keepalive``: seconds between keep-alive comments while a stream waits.
    - ``new_job_steps``: what the streams of jobs made by generate play.
    - ``odd_rows``: what the listing sends before the jobs, as rows of its own: anything at
      all, such as a row no reader can make a job of. A job's fields may be ``null``, of the
      wrong type, or ``OMIT`` (left out), in ``add_job`` and in ``SendUpdate`` alike.
    - ``files``: what ``GET /files/{name}`` serves (Range requests too), for asset URLs;
      ``files_sending`` lists the answers still being sent, each by the Range header it was
      asked with ("" for none), so a test tells its own download from a browser's;
      ``files_cut_after``, when set,
      drops the connection after that many bytes of a file; ``files_key``, when set, must be
      the query's ``key`` or the file is refused (403), as an expired presigned URL is.
      ``GET /moved?to=URL`` redirects.

    Setting ``stopping`` ends every open stream cleanly (``PeerServer`` does before it stops).
    """

    def __init__(self, url: str, *, stopping: threading.Event | None = None) -> None:
        self.url = url
        self.stopping = stopping or threading.Event()
        self.original_spec = False
        self.retry_ms: int | None = 3000
        self.keepalive = 15.0
        self.new_job_steps: Sequence[Step] = ()
        self.odd_rows: list[Any] = []
        self.files: dict[str, Path] = {}
        self.files_sending: list[str] = []
        self.files_cut_after: int | None = None
        self.files_key: str | None = None
        self.jobs: dict[str, Job] = {}
        self.requests: list[SeenRequest] = []
        self._replies: defaultdict[Route, deque[Reply]] = defaultdict(deque)
        self._app = self._build_app()

    # The test's side

    def add_job(self, job_id: str, steps: Iterable[Step] = (), **state: Any) -> Job:
        """Register a job whose streams play ``steps``; ``state`` overrides its (pending) fields."""
        now = time.time()
        initial = {
            "job_id": job_id,
            "status": "pending",
            "progress": 0,
            "prompt": "A fox runs through a snowy forest at dawn",
            "duration": 15,
            "aspect_ratio": "16:9",
            "style": "",
            "current_stage": "pending",
            "current_stage_display": "Waiting in queue",
            "stages_completed": [],
            "stages_pending": [],
            "estimated_time_remaining": None,
            "created_at": now,
            "updated_at": now,
        }
        job = Job(state=initial | state, steps=deque(steps))
        self.jobs[job_id] = job
        return job

    def queue_reply(self, route: Route, reply: Reply) -> None:
        """Answer the next request to ``route`` with ``reply``; later ones are answered as usual."""
        self._replies[route].append(reply)

    def last_event_ids(self, job_id: str) -> list[str | None]:
        """The ``Last-Event-ID`` of each progress request for the job, in order."""
        path = f"/api/v1/jobs/{job_id}/progress"
        return [seen.last_event_id for seen in self.requests if seen.path == path]

    async def wait_for(self, condition: Callable[[], bool], *, within: float = 5.0) -> None:
        """Wait until ``condition()`` holds (the server thread writes it); fail after ``within``."""
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"the peer did not get there within {within} s")
            await asyncio.sleep(0.01)

    def wait_until(self, condition: Callable[[], bool], *, within: float = 5.0) -> None:
        """``wait_for`` for synchronous callers: it blocks the calling thread while it waits."""
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"the peer did not get there within {within} s")
            time.sleep(0.01)

    # The wire's side

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry: note the request, then let the routes answer it."""
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            seen = SeenRequest(
                scope["method"],
                scope["path"],
                headers.get("authorization"),
                headers.get("last-event-id"),
            )
            self.requests.append(seen)
        await self._app(scope, receive, send)

    def _build_app(self) -> FastAPI:
        """The contract's routes, each first giving way to a queued reply."""
        app = FastAPI(openapi_url=None)
        app.add_exception_handler(_Canned, _send_canned)
        api = APIRouter(prefix="/api/v1")
        routes: list[tuple[str, str, Callable[..., Any], Route]] = [
            ("POST", "/generate", self._generate, "generate"),
            ("GET", "/jobs", self._list, "jobs"),
            ("GET", "/jobs/{job_id}", self._get, "job"),
            ("POST", "/jobs/{job_id}/cancel", self._cancel, "cancel"),
            ("GET", "/jobs/{job_id}/progress", self._progress, "progress"),
        ]
        for method, path, endpoint, route in routes:
            canned = Depends(self._canned_reply(route))
            api.add_api_route(path, endpoint, methods=[method], dependencies=[canned])
        app.include_router(api)
        app.add_api_route("/files/{name}", self._file, methods=["GET"])
        app.add_api_route("/moved", self._moved, methods=["GET"])
        return app

    def _canned_reply(self, route: Route) -> Callable[[], Awaitable[None]]:
        """A dependency that answers with the route's next queued reply, if there is one."""

        async def check() -> None:
            if self._replies[route]:
                raise _Canned(self._replies[route].popleft())

        return check

    async def _generate(self, request: GenerateRequest) -> JSONResponse:
        job_id = uuid.uuid4().hex[:12]
        self.add_job(job_id, self.new_job_steps, **request.model_dump())
        return JSONResponse({"job_id": job_id, "status": "pending"}, status_code=202)

    async def _list(
        self,
        status: str | None = None,
        limit: int = Query(50, ge=1, le=200),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        newest_first = list(reversed(self.jobs.values()))
        matching = [job for job in newest_first if status in (None, job.state["status"])]
        rows = [*self.odd_rows, *(self._public(job.state) for job in matching)]
        return {"jobs": rows[offset : offset + limit], "total": len(rows)}

    async def _get(self, job_id: str) -> dict[str, Any]:
        return self._public(self._job(job_id).state)

    async def _cancel(self, job_id: str) -> JSONResponse:
        if self.original_spec:
            return JSONResponse({"detail": "Method Not Allowed"}, status_code=405)
        job = self._job(job_id)
        if job.ended:
            raise HTTPException(409, "Job already ended")
        job.state.update(status="failed", error="Cancelled by user", updated_at=time.time())
        job.cancelled = True
        return JSONResponse({"job_id": job_id, "status": "failed"}, status_code=202)

    async def _progress(self, job_id: str) -> EventSourceResponse:
        return EventSourceResponse(self._play(self._job(job_id)), ping=0)

    async def _file(self, name: str, key: str | None = None) -> FileResponse:
        if name not in self.files:
            raise HTTPException(404, "No such file")
        if self.files_key not in (None, key):
            raise HTTPException(403, "Request has expired")
        return _CountedFile(self, self.files[name])

    async def _moved(self, to: str) -> RedirectResponse:
        return RedirectResponse(to, status_code=302)

    def _job(self, job_id: str) -> Job:
        if job_id not in self.jobs:
            raise HTTPException(404, "Job not found")
        return self.jobs[job_id]

    def _public(self, state: dict[str, Any]) -> dict[str, Any]:
        """A job's state as the wire carries it: without the fields set to ``OMIT`` (and the
        original spec has no ``error`` field)."""
        return {k: v for k, v in state.items()
                if v is not OMIT and not (self.original_spec and k == "error")}

    # The streams

    async def _play(self, job: Job) -> AsyncIterator[ServerSentEvent]:
        """One progress connection: the job's next steps, counted open until it closes."""
        job.open_streams += 1
        job.streams_opened += 1
        try:
            if self.retry_ms is not None and not self.original_spec:
                yield ServerSentEvent(retry=self.retry_ms)
            for step in self._steps(job):
                if self.stopping.is_set():
                    return
                match step:
                    case SendUpdate(fields=fields):
                        job.state.update(fields, updated_at=time.time())
                        yield self._event(job, "update", json.dumps(self._public(job.state)))
                    case SendDone(status=status):
                        job.state["status"] = status
                        yield self._event(job, "done", json.dumps({"status": status}))
                        return
                    case SendError(message=message):
                        yield self._event(job, "error", json.dumps({"error": message}))
                    case SendEvent(event=event, data=data):
                        yield self._event(job, event, data)
                    case Drop():
                        return
                    case Silence(seconds=seconds):
                        async for comment in self._wait(job, seconds, keepalive=False):
                            yield comment
                    case Pause(seconds=seconds):
                        async for comment in self._wait(job, seconds, keepalive=True):
                            yield comment
        finally:
            job.open_streams -= 1

    @staticmethod
    def _steps(job: Job) -> Iterator[Step]:
        """The job's script; then, as a contract backend does, its state and ``done`` once ended."""
        while job.steps and not job.cancelled:
            yield job.steps.popleft()
        yield SendUpdate()
        if not job.ended:
            yield Pause()  # until the job is cancelled: nothing else ends a scripted job
            yield SendUpdate()
        yield SendDone(job.state["status"])

    @staticmethod
    def _event(job: Job, name: str, data: str) -> ServerSentEvent:
        """An event with the job's next id."""
        job.last_id += 1
        return ServerSentEvent(data=data, event=name, id=str(job.last_id))

    async def _wait(
        self, job: Job, seconds: float, *, keepalive: bool
    ) -> AsyncIterator[ServerSentEvent]:
        """Let ``seconds`` pass, with keep-alives if asked; cancel and stopping cut it short.

        It looks at the clock and the flags every 20 ms rather than awaiting an event, because
        the flags are set from other threads.
        """
        interval = self.keepalive if keepalive and not self.original_spec else math.inf
        now = time.monotonic()
        deadline, next_keepalive = now + seconds, now + interval
        while not (job.cancelled or self.stopping.is_set()):
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= next_keepalive:
                yield ServerSentEvent(comment="keep-alive")
                next_keepalive = now + interval
            await asyncio.sleep(min(deadline - now, next_keepalive - now, 0.02))


async def _send_canned(request: Request, error: Exception) -> JSONResponse:
    """The exception handler that sends a queued ``Reply``."""
    assert isinstance(error, _Canned)
    reply = error.reply
    await asyncio.sleep(reply.delay)
    return JSONResponse(reply.body, status_code=reply.status, headers=dict(reply.headers))


class _CountedFile(FileResponse):
    """A file answer that the peer lists in ``files_sending`` until it is sent or cut off."""

    def __init__(self, peer: Peer, path: Path) -> None:
        super().__init__(path)
        self._peer = peer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = Headers(scope=scope).get("range", "")
        self._peer.files_sending.append(asked)
        try:
            await super().__call__(scope, receive, self._cut(send))
        finally:
            self._peer.files_sending.remove(asked)

    def _cut(self, send: Send) -> Send:
        """``send``, or one that drops the connection after ``files_cut_after`` bytes."""
        limit = self._peer.files_cut_after
        if limit is None:
            return send
        sent = 0

        async def cut_send(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.body":
                body = message.get("body", b"")[: limit - sent]
                sent += len(body)
                if sent >= limit:
                    await send({**message, "body": body, "more_body": True})
                    raise ConnectionAbortedError("the peer cuts this file short")
            await send(message)

        return cut_send


class PeerServer:
    """uvicorn serving the current ``Peer`` on a free 127.0.0.1 port, in a background thread."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._stopping = threading.Event()
        self.peer = Peer(self.url, stopping=self._stopping)
        config = uvicorn.Config(
            self._asgi,
            interface="asgi3",
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def new_peer(self) -> Peer:
        """Serve a fresh peer from now on, and return it."""
        self.peer = Peer(self.url, stopping=self._stopping)
        return self.peer

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.peer(scope, receive, send)

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the peer server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # every peer's open streams end, so uvicorn need not cut them
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
