"""Settings: read lazily from the environment, strict outside the local stages."""

from __future__ import annotations

import pytest

from chalicelib.settings import SettingsError, load_settings


def test_local_stage_gets_a_development_secret() -> None:
    settings = load_settings({"STAGE": "local"})
    assert settings.is_local
    assert len(settings.secret_key) >= 32


def test_production_stage_without_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"STAGE": "prod"})


def test_short_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="32"):
        load_settings({"STAGE": "prod", "SECRET_KEY": "short"})


def test_values_come_from_their_variables() -> None:
    settings = load_settings(
        {"STAGE": "prod", "SECRET_KEY": "x" * 40, "TABLE_NAME": "t1", "ACCESS_TOKEN_MINUTES": "5"}
    )
    assert (settings.table_name, settings.access_token_minutes) == ("t1", 5)


def test_invalid_number_is_a_settings_error() -> None:
    with pytest.raises(SettingsError):
        load_settings({"ACCESS_TOKEN_MINUTES": "soon"})
