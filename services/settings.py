"""The dashboard's settings: one pydantic-settings class, read from ``AURORA_*`` and flags."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is wrong; the message names it and says what to change."""


@dataclass(frozen=True)
class JobDefaults:
    """The duration and aspect ratio a new job starts with, until the user picks others."""

    duration: int
    aspect_ratio: str


class Settings(BaseSettings):
    """Everything configurable, with the dashboard spec's defaults."""

    model_config = SettingsConfigDict(env_prefix="AURORA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_url: AnyHttpUrl | None = None
    api_token: str | None = None
    data_dir: Path = Path("data")
    default_duration: Literal[15, 30, 60] = 15
    default_aspect_ratio: Literal["16:9", "9:16", "1:1"] = "16:9"
    max_concurrent_jobs: int = Field(default=1, ge=1, le=16)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    asset_url_ttl: float = Field(default=3600.0, gt=0)
    keepalive_seconds: float = Field(default=15.0, gt=0)
    stream_read_timeout: float = Field(default=45.0, gt=0)  # a silent stream is dead after it

    @field_validator("api_url", mode="before")
    @classmethod
    def _empty_url_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("default_duration", mode="before")
    @classmethod
    def _duration_from_text(cls, value: object) -> object:
        """The environment gives text, which a ``Literal`` of numbers would never equal."""
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @property
    def job_defaults(self) -> JobDefaults:
        """What the Create form starts with."""
        return JobDefaults(self.default_duration, self.default_aspect_ratio)

    @property
    def embedded(self) -> bool:
        """Whether the embedded backend is mounted (no remote API URL given)."""
        return self.api_url is None

    @property
    def backend_base_url(self) -> str:
        """Where the dashboard's client reaches the backend, embedded or remote."""
        if self.api_url is not None:
            return str(self.api_url).rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def _flag_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aurora", description="Aurora Studio dashboard")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080)")
    parser.add_argument("--api-url", help="use this backend instead of the embedded one")
    parser.add_argument("--data-dir", help="where the embedded backend keeps jobs and media")
    return parser


def load_settings(argv: Sequence[str]) -> Settings:
    """Settings from the environment, overridden by command-line flags.

    Raises ``SettingsError`` with one line naming the wrong setting.
    """
    flags = vars(_flag_parser().parse_args(list(argv)))
    overrides = {name: value for name, value in flags.items() if value is not None}
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        where = "AURORA_" + name.upper()
        if name in flags:
            where = "--" + name.replace("_", "-") + " / " + where
        raise SettingsError(f"Invalid setting {where}: {first['msg']}") from None
