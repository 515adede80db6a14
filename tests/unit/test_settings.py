"""Settings from the environment: every documented value is taken, a wrong one is named."""

import pytest

from services.settings import SettingsError, load_settings


@pytest.mark.parametrize("seconds", [15, 30, 60])
def test_every_duration_is_a_valid_default(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    monkeypatch.setenv("AURORA_DEFAULT_DURATION", str(seconds))
    monkeypatch.setenv("AURORA_DEFAULT_ASPECT_RATIO", "1:1")
    defaults = load_settings([]).job_defaults
    assert (defaults.duration, defaults.aspect_ratio) == (seconds, "1:1")


@pytest.mark.parametrize("value", ["20", "sixty", "", "15.5"])
def test_a_duration_outside_the_contract_is_named(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AURORA_DEFAULT_DURATION", value)
    named = "AURORA_DEFAULT_DURATION: Input should be 15, 30 or 60"
    with pytest.raises(SettingsError, match=named):
        load_settings([])
