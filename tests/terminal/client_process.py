"""The terminal client run as a user runs it: ``python main.py COMMAND … --api-url URL``, a
process of its own, with no token or backend address of the test runner's shell."""

from __future__ import annotations

import subprocess
import sys

from testkit.app_process import ROOT, program_env

TIMEOUT = 120.0  # seconds any one command may take before the test fails (a render included)


def client_env(token: str | None = None) -> dict[str, str]:
    """The client's environment: the test's, without a token or address it may have set;
    ``token`` as its ``AURORA_API_TOKEN``, if given."""
    env = program_env()
    for name in ("AURORA_API_TOKEN", "AURORA_API_URL"):
        env.pop(name, None)
    if token is not None:
        env["AURORA_API_TOKEN"] = token
    return env


def client_command(*args: str, api_url: str) -> list[str]:
    """The command line of one client command against ``api_url``."""
    return [sys.executable, str(ROOT / "main.py"), *args, "--api-url", api_url]


def run_client(*args: str, api_url: str, token: str | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run one command to its end (sending ``token``), its output piped (never a terminal)."""
    return subprocess.run(client_command(*args, api_url=api_url), capture_output=True,
                          text=True, env=client_env(token), cwd=ROOT, timeout=TIMEOUT)


def start_client(*args: str, api_url: str) -> subprocess.Popen[str]:
    """Start one command and leave it running, its output piped."""
    return subprocess.Popen(client_command(*args, api_url=api_url), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=client_env(), cwd=ROOT)
