"""Webhooks: a job's end POSTed, signed, to the ``webhook_url`` its generate request named.

The publisher hands every end to ``Webhooks.job_ended`` (a completion, a failure, a cancel;
on this process or on a cluster's worker), and each delivery then runs in a task of its own:
neither the render nor the next job waits for a receiver, and a slow receiver holds up no
other. A try that gets no 2xx answer within 10 s is made again after 2, 4, 8 and 16 s (five
tries in about a minute). Each try and its outcome go in the job's log, naming the receiver's
host only: a URL's path or query may carry a receiver's token, and the key is never written.

Only hosts in ``AURORA_WEBHOOK_HOSTS`` may be called, so the backend cannot be made to reach
an internal service; with no list, webhooks are off.

The signature: ``Aurora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``,
keyed by the text of ``AURORA_WEBHOOK_SECRET``, else by the text of ``webhook.key`` in the data
dir (made once, mode 0600).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Callable

import httpx

from services.backend.job_log import note
from services.backend.settings import BackendSettings
from services.backend.store import JobStore
from services.contract import JobStatus, JobSummary, webhook_host
from services.startup import secret_in

SIGNATURE_HEADER = "Aurora-Signature"
KEY_FILE = "webhook.key"
TRIES = 5
FIRST_WAIT_SECONDS = 2.0  # then doubled before each further try
TRY_TIMEOUT_SECONDS = 10.0

Outcome = Callable[[str], None]  # told "delivered", "retried" or "abandoned" (the metrics)


def uncounted(outcome: str) -> None:
    """Where no ``/metrics`` counts webhook tries (a cluster's render worker): the job's log
    still says how each went."""


def signature(key: bytes, body: bytes, at: int) -> str:
    """The ``Aurora-Signature`` header's value for ``body`` sent at unix second ``at``."""
    digest = hmac.new(key, f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def webhooks_for(settings: BackendSettings, store: JobStore, outcome: Outcome) -> Webhooks:
    """The backend's webhooks as its settings have them; where webhooks are on and the key is
    the data dir's, start-up says which file a receiver must read it from."""
    return Webhooks(store=store, hosts=settings.webhook_hosts,
                    key=_signing_key(settings) if settings.webhook_hosts else b"",
                    outcome=outcome)


def _signing_key(settings: BackendSettings) -> bytes:
    """The text of ``AURORA_WEBHOOK_SECRET``, else of the data dir's key file (made once)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value().encode()
    path = settings.data_dir / KEY_FILE
    key = secret_in(path).hex().encode()
    print(f"aurora: webhooks are signed with the key in {path.resolve()}", file=sys.stderr)
    return key


def event_of(job: JobSummary) -> str:
    """The event an ended job's POST announces."""
    return "job.completed" if job.status == JobStatus.COMPLETED else "job.failed"


class Webhooks:
    """Delivers ended jobs to their webhooks from tasks of their own; ``start`` before use,
    ``stop`` (which abandons the deliveries under way) at the end."""

    def __init__(self, *, store: JobStore, hosts: list[str], key: bytes,
                 outcome: Outcome) -> None:
        self._store = store
        self._hosts = frozenset(hosts)
        self._key = key
        self._outcome = outcome
        self._client: httpx.AsyncClient | None = None
        self._deliveries: set[asyncio.Task[None]] = set()

    def refusal(self, url: str) -> str | None:
        """Why a job may not be given ``url`` as its webhook, or None when it may."""
        if not self._hosts:
            return "webhooks are off on this backend (AURORA_WEBHOOK_HOSTS lists no host)"
        if webhook_host(url) not in self._hosts:
            return "the host is not one this backend may call (AURORA_WEBHOOK_HOSTS)"
        return None

    async def start(self) -> None:
        """Open the connections deliveries share (redirects are not followed: a receiver
        cannot send the POST on to a host that is not listed)."""
        self._client = httpx.AsyncClient(timeout=TRY_TIMEOUT_SECONDS, follow_redirects=False)

    async def stop(self) -> None:
        """Abandon the deliveries under way, then close the connections."""
        for task in self._deliveries:
            task.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def job_ended(self, job: JobSummary, url: str | None) -> None:
        """Deliver the ended ``job`` to ``url`` (if any) from a task of its own; a URL this
        backend may no longer call (its host was taken off the list since) is not called."""
        if url is None:
            return
        task = asyncio.create_task(self._deliver(job, url), name=f"webhook-{job.job_id}")
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, job: JobSummary, url: str) -> None:
        """Try until the receiver answers 2xx, ``TRIES`` times at most, waiting longer each
        time; the job's log says how each try went."""
        assert self._client is not None, "start() first"
        if (refused := self.refusal(url)) is not None:
            await note(self._store, job.job_id, f"Webhook not sent: {refused}", "warning")
            return
        body = json.dumps({"event": event_of(job), "job": job.model_dump(mode="json")}).encode()
        host = webhook_host(url)
        wait = FIRST_WAIT_SECONDS
        for attempt in range(1, TRIES + 1):
            at = int(time.time())
            failure = await self._try(url, body, signature(self._key, body, at))
            if failure is None:
                self._outcome("delivered")
                await note(self._store, job.job_id,
                           f"Webhook delivered to {host} (try {attempt} of {TRIES})")
                return
            if attempt == TRIES:
                break
            self._outcome("retried")
            await note(self._store, job.job_id,
                       f"Webhook to {host} failed ({failure}, try {attempt} of {TRIES}); "
                       f"trying again in {wait:g} s", "warning")
            await asyncio.sleep(wait)
            wait *= 2
        self._outcome("abandoned")
        await note(self._store, job.job_id,
                   f"Webhook to {host} abandoned after {TRIES} tries ({failure})", "error")

    async def _try(self, url: str, body: bytes, signed: str) -> str | None:
        """POST once; None if the receiver took it (2xx), else what went wrong. The whole try
        has 10 s, however slowly a receiver trickles its answer."""
        assert self._client is not None
        try:
            async with asyncio.timeout(TRY_TIMEOUT_SECONDS):
                response = await self._client.post(url, content=body, headers={
                    "Content-Type": "application/json", SIGNATURE_HEADER: signed})
        except (TimeoutError, httpx.TimeoutException):
            return f"no answer within {TRY_TIMEOUT_SECONDS:g} s"
        except httpx.HTTPError as error:
            return f"could not connect: {type(error).__name__}"
        return None if response.is_success else f"HTTP {response.status_code}"
