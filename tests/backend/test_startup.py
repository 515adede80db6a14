"""A wrong setting stops start-up with one clear line naming it, exit code 2, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from testkit.app_process import ROOT, AppProcess, free_port
from testkit.postgres_server import PostgresServer


def _start(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AURORA_")}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


def _the_one_line(result: subprocess.CompletedProcess[str]) -> str:
    """Start-up stopped with exit code 2 and one line, no traceback: that line."""
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(("args", "env", "named"), [
    (["--api-url", "not a url"], {}, "--api-url"),
    ([], {"AURORA_API_URL": "ftp://example.invalid"}, "AURORA_API_URL"),
    (["--port", "70000"], {}, "--port"),
    ([], {"AURORA_DEFAULT_DURATION": "20"}, "AURORA_DEFAULT_DURATION"),
    ([], {"AURORA_MAX_CONCURRENT_JOBS": "zero"}, "AURORA_MAX_CONCURRENT_JOBS"),
    (["api", "--port", "70000"], {}, "--port"),
    (["api"], {"AURORA_RENDER_WORKERS": "0"}, "AURORA_RENDER_WORKERS"),
    (["api"], {"AURORA_REDIS_URL": "http://127.0.0.1:6379"}, "AURORA_REDIS_URL"),
    (["api"], {"AURORA_DATABASE_URL": "mysql://localhost/aurora"}, "AURORA_DATABASE_URL"),
    (["api"], {"AURORA_MEDIA_URL": "https://bucket.example"}, "AURORA_MEDIA_URL"),
    (["api"], {"AURORA_REDIS_URL": "redis://127.0.0.1:6379/0",
               "AURORA_WEBHOOK_HOSTS": "hooks.example.com"}, "AURORA_WEBHOOK_SECRET"),
])
def test_a_malformed_setting_is_named(args: list[str], env: dict[str, str], named: str) -> None:
    result = _start(args, env)
    line = _the_one_line(result)
    assert named in line


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _start(["--port", str(port), "--data-dir", str(tmp_path)], {})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{port} is in use" in result.stderr


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _start(["--data-dir", str(blocker), "--port", str(free_port())], {})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--data-dir" in result.stderr
    assert str(blocker) in result.stderr


@pytest.mark.parametrize(("command", "secret_in"), [
    ("api", "user info"), ("serve", "user info"), ("api", "query")])
def test_an_unreachable_redis_is_named(tmp_path: Path, command: str, secret_in: str) -> None:
    nothing_there = (f"redis://user:hunter2@127.0.0.1:{free_port()}/0" if secret_in == "user info"
                     else f"redis://127.0.0.1:{free_port()}/0?password=hunter2")
    result = _start([command, "--port", str(free_port()), "--data-dir", str(tmp_path)],
                     {"AURORA_REDIS_URL": nothing_there})
    line = _the_one_line(result)
    assert "AURORA_REDIS_URL" in line
    assert "does not answer" in line
    assert "hunter2" not in line


@pytest.mark.parametrize(("command", "where", "reason"), [
    ("api", "nowhere", "Connection refused"),
    ("serve", "nowhere", "Connection refused"),
    ("api", "no such database", 'database "missing" does not exist'),
    ("api", "malformed", "expected postgresql://"),
])
def test_a_database_url_that_does_not_lead_to_a_database_is_named(
        request: pytest.FixtureRequest, tmp_path: Path, command: str, where: str,
        reason: str) -> None:
    if where == "no such database":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.url("missing").replace("postgres@", "postgres:s3cret@")
    elif where == "nowhere":
        url = f"postgresql://aurora:s3cret@127.0.0.1:{free_port()}/aurora"
    else:
        url = "postgresql://aurora:s3cret@[::1/aurora"  # libpq's parse error would quote it
    result = _start([command, "--data-dir", str(tmp_path), "--port", str(free_port())],
                    {"AURORA_DATABASE_URL": url})
    line = _the_one_line(result)
    assert "AURORA_DATABASE_URL" in line
    assert reason in line
    assert "s3cret" not in line


@pytest.mark.parametrize("command", [[], ["api"]])
def test_a_media_store_that_does_not_answer_is_named(command: list[str], tmp_path: Path) -> None:
    result = _start([*command, "--data-dir", str(tmp_path), "--port", str(free_port())], {
        "AURORA_MEDIA_URL": "s3://aurora", "AURORA_S3_ENDPOINT": f"http://127.0.0.1:{free_port()}",
        "AWS_ACCESS_KEY_ID": "key", "AWS_SECRET_ACCESS_KEY": "secret"})
    line = _the_one_line(result)
    assert "AURORA_MEDIA_URL (s3://aurora) cannot be used" in line


@pytest.mark.parametrize("command", [[], ["api"]])
def test_a_host_beyond_loopback_needs_a_choice_of_who_gets_in(command: list[str],
                                                               tmp_path: Path) -> None:
    args = [*command, "--host", "0.0.0.0", "--port", str(free_port()),
            "--data-dir", str(tmp_path)]
    result = _start(args, {})
    line = _the_one_line(result)
    assert "AURORA_AUTH=accounts" in line
    assert "open" in line


def test_open_is_a_choice_that_runs_on_every_address(tmp_path: Path) -> None:
    app = AppProcess(tmp_path / "data", extra_args=["--host", "0.0.0.0"],
                     env={"AURORA_AUTH": "open"}).start()
    try:
        assert httpx.get(f"{app.base_url}/api/v1/jobs", timeout=5).status_code == 200
    finally:
        app.stop()
