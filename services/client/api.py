"""``AuroraClient``: the wire contract's calls as typed async methods over one httpx client."""

from __future__ import annotations

from typing import Any, Self, TypeVar

import httpx
from pydantic import ValidationError

from services.client.changes import ChangeStream
from services.client.errors import (
    BackendFailure,
    CancelNotSupported,
    DeleteNotSupported,
    JobAlreadyEnded,
    JobConflict,
    JobNotEnded,
    JobNotRetryable,
    NotSupported,
    QueueNotSupported,
    RetryNotSupported,
    check_job_id,
    mapped_errors,
)
from services.client.stream import DEFAULT_BACKOFF, Backoff, ProgressStream
from services.contract import (
    API_PREFIX,
    USER_HEADER,
    CancelResponse,
    ContractModel,
    GenerateRequest,
    GenerateResponse,
    JobDetail,
    JobList,
    JobLog,
    JobSummary,
    NewToken,
    QueueState,
    SignInRequest,
    TokenList,
    TokenRequest,
    UserInfo,
)

Model = TypeVar("Model", bound=ContractModel)

_SAFE_SCHEMES = frozenset({"http", "https"})
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))  # what browsers strip off a URL


class AuroraClient:
    """Talks to any backend that keeps the Aurora wire contract.

    Usage::

        async with AuroraClient("http://127.0.0.1:8080", token=token) as client:
            job = await client.generate(GenerateRequest(prompt="A fox at dawn", duration=30))
            async with client.progress(job.job_id) as stream:
                async for event in stream:
                    ...

    Parameters:
        base_url: where the backend is; the contract's routes live under ``/api/v1`` below it.
        token: sent as ``Authorization: Bearer <token>`` on every request to the backend's
            origin, when given.
        timeout: seconds allowed to connect and for each answer (a progress stream has its own,
            longer, read timeout).
        read_timeout: seconds a progress stream may stay silent before it counts as dead (the
            default of ``progress``).
        transport: an httpx transport to use instead of the network.

    Every method raises only ``AuroraError`` subclasses (see ``services.client.errors``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        read_timeout: float = 45.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._read_timeout = read_timeout
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def generate(self, request: GenerateRequest, *, user: str | None = None
                       ) -> GenerateResponse:
        """Start a job (``POST /api/v1/generate``), ``user``'s where the dashboard acts for one;
        a 200 or a 202 both mean it was accepted."""
        response = await self._request(
            "POST", f"{API_PREFIX}/generate",
            json=request.model_dump(mode="json", exclude_none=True), user=user)
        return _parse(GenerateResponse, response)

    async def list_jobs(
        self, *, status: str | None = None, q: str | None = None, owner: str | None = None,
        limit: int = 50, offset: int = 0
    ) -> JobList:
        """A page of jobs, newest first; only those with ``status``, of ``owner``, or with
        every word of ``q`` in the prompt or style, if given (a backend without search
        ignores ``q`` and ``owner``)."""
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        given = {"status": status, "q": q, "owner": owner}
        params.update({name: value for name, value in given.items() if value})
        response = await self._request("GET", f"{API_PREFIX}/jobs", params=params)
        return _parse(JobList, response)

    async def job_log(self, job_id: str) -> JobLog:
        """What happened to the job, oldest first; ``JobNotFound`` if unknown (or from a
        backend without logs: it cannot be told apart)."""
        check_job_id(job_id)
        response = await self._request("GET", f"{API_PREFIX}/jobs/{job_id}/log", job_id=job_id)
        return _parse(JobLog, response)

    async def delete_job(self, job_id: str, *, user: str | None = None) -> None:
        """Remove an ended job, its record and its files (as ``user``, where the dashboard
        acts for one): ``JobNotEnded`` (409) while it waits or runs, ``DeleteNotSupported``
        from a backend without delete (405)."""
        check_job_id(job_id)
        await self._request("DELETE", f"{API_PREFIX}/jobs/{job_id}", job_id=job_id, user=user,
                            unsupported=DeleteNotSupported, conflict=JobNotEnded)

    async def get_job(self, job_id: str) -> JobDetail:
        """One job with its stages, assets (fresh URLs) and script; ``JobNotFound`` if unknown."""
        check_job_id(job_id)
        response = await self._request("GET", f"{API_PREFIX}/jobs/{job_id}", job_id=job_id)
        return _parse(JobDetail, response)

    async def cancel(self, job_id: str, *, user: str | None = None) -> CancelResponse:
        """Ask the backend to stop a job (as ``user``, where the dashboard acts for one).

        ``CancelNotSupported`` from a backend without the cancel extension (405); a 404 from
        such a backend cannot be told apart from an unknown job, so it is ``JobNotFound``.
        """
        check_job_id(job_id)
        response = await self._request("POST", f"{API_PREFIX}/jobs/{job_id}/cancel",
                                       job_id=job_id, user=user)
        return _parse(CancelResponse, response)

    async def queue(self, *, user: str | None = None) -> QueueState:
        """The jobs waiting and running, and how long a job ``user`` submitted now would wait
        before it starts; ``QueueNotSupported`` from a backend without it (405)."""
        response = await self._request("GET", f"{API_PREFIX}/queue", user=user,
                                       unsupported=QueueNotSupported)
        return _parse(QueueState, response)

    async def run_next(self, job_id: str, *, user: str | None = None) -> JobSummary:
        """Move a queued job ahead of its owner's other queued jobs (as ``user``, where the
        dashboard acts for one); the job as it stands now.

        ``JobAlreadyEnded`` (409) when it is not waiting, ``QueueNotSupported`` from a backend
        without run-next (405).
        """
        check_job_id(job_id)
        response = await self._request("POST", f"{API_PREFIX}/jobs/{job_id}/run-next",
                                       job_id=job_id, user=user, unsupported=QueueNotSupported)
        return _parse(JobSummary, response)

    async def retry(self, job_id: str, *, user: str | None = None) -> JobSummary:
        """Run a failed job again as its next attempt (as ``user``, where the dashboard acts
        for one): the same job, queued again, keeping the scenes and music it made; the job as
        it stands now.

        ``JobNotRetryable`` (409) when it has not failed, ``RetryNotSupported`` from a backend
        without retry (405).
        """
        check_job_id(job_id)
        response = await self._request("POST", f"{API_PREFIX}/jobs/{job_id}/retry",
                                       job_id=job_id, user=user, unsupported=RetryNotSupported,
                                       conflict=JobNotRetryable)
        return _parse(JobSummary, response)

    async def sign_in(self, username: str, password: str) -> UserInfo:
        """The user, if the backend's accounts say the password fits (service token only).

        ``RequestRejected`` with 401 for a wrong one, 404 or 405 from a backend without accounts.
        """
        body = SignInRequest(username=username, password=password).model_dump()
        response = await self._request("POST", f"{API_PREFIX}/auth/sign-in", json=body)
        return _parse(UserInfo, response)

    async def me(self, *, user: str | None = None) -> UserInfo:
        """Who the backend takes this client (acting for ``user``) to be."""
        return _parse(UserInfo, await self._request("GET", f"{API_PREFIX}/me", user=user))

    async def tokens(self, *, user: str | None = None) -> TokenList:
        """The user's API tokens, newest first (never the tokens themselves)."""
        return _parse(TokenList, await self._request("GET", f"{API_PREFIX}/tokens", user=user))

    async def create_token(self, label: str, *, user: str | None = None) -> NewToken:
        """A new API token for the user, which the answer holds this once."""
        body = TokenRequest(label=label).model_dump()
        response = await self._request("POST", f"{API_PREFIX}/tokens", json=body, user=user)
        return _parse(NewToken, response)

    async def revoke_token(self, token_id: str, *, user: str | None = None) -> None:
        """Revoke one of the user's tokens."""
        await self._request("DELETE", f"{API_PREFIX}/tokens/{token_id}", user=user)

    def asset_url(self, url: str) -> str | None:
        """An absolute http(s) URL for an asset URL the backend gave, or None if unsafe.

        Relative URLs are resolved against the base URL as a browser would; any scheme other
        than http or https (``javascript:``, ``data:``, ``file:`` …) gives None, so a page never
        puts it into an element. Like a browser, it first strips control characters and spaces
        off both ends, so " javascript:…" counts as the ``javascript:`` URL it is.
        """
        url = url.strip(_C0_AND_SPACE)
        if not url:
            return None
        try:
            absolute = httpx.URL(f"{self.base_url}/").join(url)
        except httpx.InvalidURL:
            return None
        return str(absolute) if absolute.scheme in _SAFE_SCHEMES else None

    async def open_asset(self, url: str, *, headers: dict[str, str] | None = None
                         ) -> httpx.Response:
        """Start fetching an asset (an absolute URL from ``asset_url``): the answer with its
        status and head read and its body left to stream; the caller closes it.

        An error status is returned, not raised: it is the answer to pass on. Redirects are
        followed (a backend may send its assets on to an object store). The token goes only to
        the backend's own origin, never to such a store: httpx drops it on a redirect that
        leaves the origin, and it is dropped here from a URL on another origin.
        """
        request = self._http.build_request("GET", url, headers=headers)
        if not _same_origin(request.url, self._http.base_url):
            request.headers.pop("Authorization", None)
        with mapped_errors(self.base_url):
            return await self._http.send(request, stream=True, follow_redirects=True)

    def progress(
        self,
        job_id: str,
        *,
        last_event_id: str | None = None,
        max_attempts: int = 3,
        read_timeout: float | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> ProgressStream:
        """The job's live progress events (see ``ProgressStream``); nothing connects until read."""
        return ProgressStream(
            self._http,
            job_id,
            last_event_id=last_event_id,
            max_attempts=max_attempts,
            read_timeout=self._read_timeout if read_timeout is None else read_timeout,
            backoff=backoff,
        )

    def changes(
        self,
        *,
        owner: str | None = None,
        last_event_id: str | None = None,
        max_attempts: int = 3,
        read_timeout: float | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> ChangeStream:
        """Every job's changes (``owner``'s only, if given) as they happen (see
        ``ChangeStream``); nothing connects until read."""
        return ChangeStream(
            self._http,
            owner=owner,
            last_event_id=last_event_id,
            max_attempts=max_attempts,
            read_timeout=self._read_timeout if read_timeout is None else read_timeout,
            backoff=backoff,
        )

    async def _request(
        self, method: str, path: str, *, job_id: str | None = None, user: str | None = None,
        unsupported: type[NotSupported] = CancelNotSupported,
        conflict: type[JobConflict] = JobAlreadyEnded, **options: Any
    ) -> httpx.Response:
        """Send one request (for ``user``, if given); any failure or error status becomes an
        ``AuroraError`` (a 405, ``unsupported``; a 409, ``conflict``)."""
        headers = {USER_HEADER: user} if user is not None else None
        with mapped_errors(self.base_url, job_id=job_id, unsupported=unsupported,
                           conflict=conflict):
            response = await self._http.request(method, path, headers=headers, **options)
            response.raise_for_status()
        return response


def _same_origin(url: httpx.URL, other: httpx.URL) -> bool:
    return (url.scheme, url.host, url.port) == (other.scheme, other.host, other.port)


def _parse(model: type[Model], response: httpx.Response) -> Model:
    """The answer as ``model``; a body that breaks the contract is the backend's failure."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        detail = f"its answer does not keep the contract ({error.errors()[0]['msg']})"
        raise BackendFailure(response.status_code, detail) from error
