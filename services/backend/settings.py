"""The backend's settings, read from ``AURORA_*`` and its flags (``main.py`` composes them)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class BackendSettings(BaseSettings):
    """Where the backend keeps its jobs and media, and how hard it works.

    ``host`` and ``port`` are used only when it runs alone (``python main.py api``); embedded,
    it answers on the dashboard's address. With ``redis_url`` progress goes through Redis
    Streams (shared by every replica); without it, it stays in the process.
    """

    model_config = SettingsConfigDict(env_prefix="AURORA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("data")
    max_concurrent_jobs: int = Field(default=1, ge=1, le=16)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    asset_url_ttl: float = Field(default=3600.0, gt=0)
    keepalive_seconds: float = Field(default=15.0, gt=0)
    redis_url: str | None = None

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_scheme(cls, value: object) -> object:
        if value == "":
            return None
        if isinstance(value, str) and not value.startswith(REDIS_SCHEMES):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value
