"""Checks that turn a wrong setting into one clear line before anything starts."""

from __future__ import annotations

import errno
import socket
import tempfile

from services.settings import Settings, SettingsError


def check_port_free(settings: Settings) -> None:
    """The dashboard's address must be free and bindable."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                reason = "is in use; choose another with --port / AURORA_PORT"
            else:
                reason = f"cannot be used ({error.strerror}); check --host / AURORA_HOST"
            raise SettingsError(f"Address {settings.host}:{settings.port} {reason}") from None


def check_data_dir_writable(settings: Settings) -> None:
    """The embedded backend keeps its jobs and media in the data dir: it must be writable."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=settings.data_dir):
            pass
    except OSError as error:
        raise SettingsError(
            f"Data dir {settings.data_dir} is not writable ({error.strerror}); "
            "choose another with --data-dir / AURORA_DATA_DIR"
        ) from None


def check_startup(settings: Settings) -> None:
    """Every start-up check for these settings."""
    check_port_free(settings)
    if settings.embedded:
        check_data_dir_writable(settings)
