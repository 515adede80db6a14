"""The dashboard's settings, read from ``AURORA_*`` and its flags (``main.py`` composes them)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.contract import DEFAULT_ASPECT_RATIO, AspectRatio, AuthMode, Duration

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class JobDefaults:
    """The duration and aspect ratio a new job starts with, until the user picks others."""

    duration: Duration
    aspect_ratio: AspectRatio


class DashboardSettings(BaseSettings):
    """Where the dashboard serves, which backend it uses, and what the Create form starts with.

    With no ``api_url`` the embedded backend is mounted in the same process, on the same port.
    """

    model_config = SettingsConfigDict(env_prefix="AURORA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_url: AnyHttpUrl | None = None
    api_token: str | None = None
    default_duration: Duration = 15
    default_aspect_ratio: AspectRatio = DEFAULT_ASPECT_RATIO
    stream_read_timeout: float = Field(default=45.0, gt=0)  # a silent stream is dead after it
    data_dir: Path = Path("data")  # where the session secret is kept (and the embedded backend)
    # who gets in (see the README's "Sharing it with a team"); unset is "open", loopback only
    auth: AuthMode | None = None
    session_hours: float = Field(default=12.0, gt=0)
    proxy_user_header: str = "X-Forwarded-Email"
    # the sign-in proxies whose user header is believed: addresses or networks, comma-separated
    trusted_proxies: Annotated[list[Network], NoDecode] = Field(default_factory=list)
    sign_in_wait_seconds: float = Field(default=30.0, gt=0)  # the first wait after 5 misses

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks_from_text(cls, value: object) -> object:
        """``10.0.0.5, 10.1.0.0/16`` as networks (a bare address is a network of one)."""
        if isinstance(value, str):
            return [ipaddress.ip_network(part.strip(), strict=False)
                    for part in value.split(",") if part.strip()]
        return value

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
