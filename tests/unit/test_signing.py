"""Signed URLs resist forgery and expiry; the signing secret is made once, private."""

import os
import stat
import time
from pathlib import Path

from services.backend.signing import AssetSigner, load_or_create_secret


def test_secret_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    secret = load_or_create_secret(tmp_path)
    assert load_or_create_secret(tmp_path) == secret
    mode = stat.S_IMODE(os.stat(tmp_path / "signing.key").st_mode)
    assert mode == 0o600


def test_signatures_are_checked_for_forgery_and_expiry() -> None:
    signer = AssetSigner(b"k" * 32, ttl_seconds=3600)
    url = signer.url("job1", "video.mp4")
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    expires, sig = int(query["expires"]), query["sig"]
    assert signer.verify("job1", "video.mp4", expires, sig)
    assert not signer.verify("job2", "video.mp4", expires, sig)
    assert not signer.verify("job1", "scene_01.mp4", expires, sig)
    assert not signer.verify("job1", "video.mp4", expires + 1, sig)
    assert not AssetSigner(b"x" * 32, ttl_seconds=3600).verify("job1", "video.mp4", expires, sig)
    past = signer.url("job1", "video.mp4", now=time.time() - 7200)
    query = dict(part.split("=") for part in past.split("?")[1].split("&"))
    assert not signer.verify("job1", "video.mp4", int(query["expires"]), query["sig"])
