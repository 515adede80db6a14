"""The backend's settings, read from ``AURORA_*`` and its flags (``main.py`` composes them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.backend.media.protocol import parse_media_url
from services.backend.picture_sizes import RenderSize
from services.contract import AuthMode

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class BackendSettings(BaseSettings):
    """Where the backend keeps its jobs and media, and how hard it works.

    ``host`` and ``port`` are used only when it runs alone (``python main.py api``); embedded,
    it answers on the dashboard's address. Each engine setting left unset keeps its
    single-machine default: jobs in SQLite and media in the data dir, progress in the process.
    """

    model_config = SettingsConfigDict(env_prefix="AURORA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("data")
    max_concurrent_jobs: int = Field(default=1, ge=1, le=16)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    asset_url_ttl: float = Field(default=3600.0, gt=0)
    keepalive_seconds: float = Field(default=15.0, gt=0)
    render_size: RenderSize = "full"  # "draft": quick quarter-width pictures, for previews
    retention_days: float = Field(default=0.0, ge=0)  # ended jobs older are deleted; 0: keep all
    # who may call the API: unset is "open" (anyone), which start-up allows only on loopback;
    # otherwise every request needs a user's token or the service token
    auth: AuthMode | None = None
    service_token: SecretStr | None = None  # the dashboard's: it may act for any user
    # where jobs are kept: SQLite in the data dir (unset) or PostgreSQL, ``postgresql://…``
    database_url: str | None = None
    # the hosts a job's ``webhook_url`` may name, comma-separated (none: webhooks are off), and
    # the key its POSTs are signed with (unset: one kept in the data dir, ``webhook.key``)
    webhook_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None

    @field_validator("webhook_hosts", mode="before")
    @classmethod
    def _hosts_from_text(cls, value: object) -> object:
        """``hooks.example.com, 127.0.0.1`` as host names, lower-cased as URLs compare them."""
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url", "media_url", "s3_endpoint", "redis_url", "webhook_secret",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An exported but blank variable means the engine's single-machine default."""
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _a_postgres_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.split("://", 1)[0] not in ("postgresql", "postgres") or not _libpq_reads(value):
            raise ValueError("expected postgresql://user:password@host:port/database")
        return value

    # where media lives: the data dir (unset) or an S3-compatible bucket, ``s3://bucket/prefix``
    # (credentials from boto3's usual ``AWS_*`` variables; ``s3_endpoint`` for a non-AWS store)
    media_url: str | None = None
    s3_endpoint: str | None = None

    @field_validator("media_url")
    @classmethod
    def _media_url_is_s3(cls, value: str | None) -> str | None:
        if value is not None:
            parse_media_url(value)
        return value

    # where progress goes: this process (unset) or Redis Streams, ``redis://…``
    redis_url: str | None = None
    # who renders: this process's own workers, or Celery workers (``python main.py worker``)
    # on AURORA_REDIS_URL's Redis, on any number of machines; unset, it follows that setting
    render_pool: Literal["processes", "celery"] | None = None

    @model_validator(mode="after")
    def _pool_follows_redis(self) -> BackendSettings:
        if self.render_pool is None:
            self.render_pool = "processes" if self.redis_url is None else "celery"
        elif self.render_pool == "celery" and self.redis_url is None:
            raise ValueError("AURORA_RENDER_POOL=celery needs AURORA_REDIS_URL (the broker)")
        return self

    @model_validator(mode="after")
    def _one_webhook_key_per_cluster(self) -> BackendSettings:
        """On a cluster, whichever replica or worker ends a job signs its webhook: all must
        share one key, which a data dir of each machine's own cannot give."""
        if self.webhook_hosts and self.render_pool == "celery" and self.webhook_secret is None:
            raise ValueError("AURORA_WEBHOOK_HOSTS on a cluster needs AURORA_WEBHOOK_SECRET, "
                             "the same on every API replica and render worker")
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(REDIS_SCHEMES):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value


def _libpq_reads(url: str) -> bool:
    """Whether libpq can parse the URL (its error is not repeated: it may quote the password)."""
    from psycopg import Error
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(url)
    except Error:
        return False
    return True
