"""Each program's settings: from the environment, a flag over its variable, a wrong one named."""

import pytest

from main import parse
from services.backend.settings import BackendSettings
from services.dashboard.settings import DashboardSettings
from services.startup import SettingsError, read_settings


def _flags(*argv: str) -> dict[str, object]:
    """The flags of a command line as ``main.py`` passes them on."""
    return {name: value for name, value in vars(parse(argv)).items() if name != "command"}


@pytest.mark.parametrize("seconds", [15, 30, 60])
def test_every_duration_is_a_valid_default(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    monkeypatch.setenv("AURORA_DEFAULT_DURATION", str(seconds))
    monkeypatch.setenv("AURORA_DEFAULT_ASPECT_RATIO", "1:1")
    defaults = read_settings(DashboardSettings, _flags()).job_defaults
    assert (defaults.duration, defaults.aspect_ratio) == (seconds, "1:1")


@pytest.mark.parametrize("value", ["20", "sixty", "", "15.5"])
def test_a_duration_outside_the_contract_is_named(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AURORA_DEFAULT_DURATION", value)
    named = "AURORA_DEFAULT_DURATION: Input should be 15, 30 or 60"
    with pytest.raises(SettingsError, match=named):
        read_settings(DashboardSettings, _flags())


@pytest.mark.parametrize("command", ["serve", "api"])
def test_a_flag_wins_over_its_variable(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("AURORA_PORT", "9001")
    monkeypatch.setenv("AURORA_DATA_DIR", "/from/env")
    flags = _flags(command, "--port", "9002", "--data-dir", "/from/flag")
    backend = read_settings(BackendSettings, flags)
    assert (backend.port, str(backend.data_dir)) == (9002, "/from/flag")
    if command == "serve":
        assert read_settings(DashboardSettings, flags).port == 9002


def test_a_variable_counts_where_no_flag_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURORA_PORT", "9001")
    monkeypatch.setenv("AURORA_API_URL", "http://backend.example:8000/")
    dashboard = read_settings(DashboardSettings, _flags())
    assert (dashboard.port, dashboard.backend_base_url) == (9001, "http://backend.example:8000")
    assert not dashboard.embedded


def test_no_command_is_the_dashboard() -> None:
    assert parse([]).command == "serve"
    assert parse(["--port", "8081"]).command == "serve"
    assert parse(["api", "--port", "8081"]).command == "api"


def test_a_wrong_flag_is_named_by_flag_and_variable() -> None:
    with pytest.raises(SettingsError, match="--port / AURORA_PORT"):
        read_settings(BackendSettings, _flags("api", "--port", "0"))


@pytest.mark.parametrize(("redis_url", "chosen", "pool"), [
    (None, None, "processes"),
    ("redis://127.0.0.1:6379/0", None, "celery"),  # unset, the pool follows AURORA_REDIS_URL
    ("redis://127.0.0.1:6379/0", "processes", "processes"),  # Redis for progress only
])
def test_the_render_pool_follows_redis_unless_chosen(
        monkeypatch: pytest.MonkeyPatch, redis_url: str | None, chosen: str | None,
        pool: str) -> None:
    for name, value in (("AURORA_REDIS_URL", redis_url), ("AURORA_RENDER_POOL", chosen)):
        if value is not None:
            monkeypatch.setenv(name, value)
    assert read_settings(BackendSettings, _flags("api")).render_pool == pool


def test_celery_without_a_broker_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURORA_RENDER_POOL", "celery")
    with pytest.raises(SettingsError, match="AURORA_RENDER_POOL=celery needs AURORA_REDIS_URL"):
        read_settings(BackendSettings, _flags("api"))
