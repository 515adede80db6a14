"""Accounts for tests, made the way an operator makes them: ``main.py users …``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from testkit.app_process import ROOT


def add_user(data_dir: Path, name: str, password: str, *, admin: bool = False) -> None:
    """Add ``name`` to the backend store of ``data_dir`` (the password on stdin)."""
    _users(data_dir, "add", name, "--password-stdin", *(["--admin"] if admin else []),
           stdin=f"{password}\n")


def remove_user(data_dir: Path, name: str) -> None:
    """Remove ``name`` (and their tokens) from the backend store of ``data_dir``."""
    _users(data_dir, "remove", name)


def _users(data_dir: Path, *args: str, stdin: str = "") -> None:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "NICEGUI_"))}
    subprocess.run([sys.executable, str(ROOT / "main.py"), "users", *args,
                    "--data-dir", str(data_dir)],
                   input=stdin, text=True, capture_output=True, check=True, cwd=ROOT, env=env,
                   timeout=60)
