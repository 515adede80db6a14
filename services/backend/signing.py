"""Signed, expiring asset URLs: an HMAC over the path and the expiry time.

Like an object store's presigned URLs: whoever holds the URL (and may call the API at all)
may fetch the file until it expires, and nobody can forge one without the data dir's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from urllib.parse import quote

from services.contract import API_PREFIX
from services.startup import secret_in

ASSET_ROUTE = f"{API_PREFIX}/assets"
_SECRET_FILE = "signing.key"


def load_or_create_secret(data_dir: Path) -> bytes:
    """The data dir's signing secret, generated once (mode 0600) and kept there."""
    return secret_in(data_dir / _SECRET_FILE)


class AssetSigner:
    """Makes and checks signed URLs for files under ``/api/v1/assets/{job_id}/{name}``."""

    def __init__(self, secret: bytes, *, ttl_seconds: float) -> None:
        self._secret = secret
        self._ttl = ttl_seconds

    def _signature(self, job_id: str, name: str, expires: int) -> str:
        message = f"{job_id}/{name}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, job_id: str, name: str, *, now: float | None = None) -> str:
        """A URL for ``name`` in ``job_id``'s folder, valid for the signer's TTL."""
        expires = int((time.time() if now is None else now) + self._ttl)
        signature = self._signature(job_id, name, expires)
        return f"{ASSET_ROUTE}/{quote(job_id)}/{quote(name)}?expires={expires}&sig={signature}"

    def verify(self, job_id: str, name: str, expires: int, signature: str) -> bool:
        """Whether ``signature`` is ours for this file and has not expired."""
        if expires < time.time():
            return False
        return hmac.compare_digest(self._signature(job_id, name, expires), signature)
