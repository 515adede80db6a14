"""The backend's settings, read from ``AURORA_*`` and its flags (``main.py`` composes them)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.backend.media.protocol import parse_media_url


class BackendSettings(BaseSettings):
    """Where the backend keeps its jobs and media, and how hard it works.

    ``host`` and ``port`` are used only when it runs alone (``python main.py api``); embedded,
    it answers on the dashboard's address.
    """

    model_config = SettingsConfigDict(env_prefix="AURORA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("data")
    max_concurrent_jobs: int = Field(default=1, ge=1, le=16)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    asset_url_ttl: float = Field(default=3600.0, gt=0)
    keepalive_seconds: float = Field(default=15.0, gt=0)
    # where media lives: the data dir (unset) or an S3-compatible bucket, ``s3://bucket/prefix``
    # (credentials from boto3's usual ``AWS_*`` variables; ``s3_endpoint`` for a non-AWS store)
    media_url: str | None = None
    s3_endpoint: str | None = None

    @field_validator("media_url")
    @classmethod
    def _media_url_is_s3(cls, value: str | None) -> str | None:
        if value:
            parse_media_url(value)
        return value or None
