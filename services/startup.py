"""What either program does before it starts: read its settings and check them.

A wrong setting becomes one ``SettingsError`` naming it (``main.py`` prints it and exits 2),
never a traceback halfway through start-up.
"""

from __future__ import annotations

import errno
import os
import secrets
import socket
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

AnySettings = TypeVar("AnySettings", bound=BaseSettings)


class SettingsError(Exception):
    """A setting is wrong; the message names it and says what to change."""


def read_settings(kind: type[AnySettings], flags: Mapping[str, object]) -> AnySettings:
    """``kind`` from the ``AURORA_*`` environment, each flag given (not None) overriding it.

    Raises ``SettingsError`` with one line naming the wrong setting by its flag and variable.
    """
    overrides: dict[str, Any] = {name: value for name, value in flags.items() if value is not None}
    try:
        return kind(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        where = "AURORA_" + name.upper()
        if name in flags:
            where = "--" + name.replace("_", "-") + " / " + where
        raise SettingsError(f"Invalid setting {where}: {first['msg']}") from None


def check_port_free(host: str, port: int) -> None:
    """The address to serve on must be free and bindable."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                reason = "is in use; choose another with --port / AURORA_PORT"
            else:
                reason = f"cannot be used ({error.strerror}); check --host / AURORA_HOST"
            raise SettingsError(f"Address {host}:{port} {reason}") from None


def check_dir_writable(path: Path) -> None:
    """The backend keeps its jobs and media in the data dir: it must be writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise SettingsError(
            f"Data dir {path} is not writable ({error.strerror}); "
            "choose another with --data-dir / AURORA_DATA_DIR"
        ) from None


def secret_in(path: Path) -> bytes:
    """The secret kept in ``path``, generated once (32 random bytes, mode 0600, never
    rewritten): signing keys that must outlive a restart and never leave the machine."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret.hex())
    return secret
