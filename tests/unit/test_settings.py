"""Settings: read lazily from the environment, strict outside the local stages, no built-in key."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from chalicelib.settings import SettingsError, load_settings
from infra.local.config import StackConfig
from infra.local.secret import SECRET_FILE, data_dir_secret, stack_secret

PROJECT = Path(__file__).resolve().parents[2]
# The constant the local stages used to fall back to (issue 9, finding 2): public, so forgeable.
OLD_PUBLIC_KEY = "local-dev-secret-not-for-production-0123456789abcdef"


def test_without_a_stage_nothing_starts() -> None:
    # Given an environment that names no stage (a deployed function missing its config)
    # When the settings are loaded / Then there is no silent "local" (and its lax rules)
    with pytest.raises(SettingsError, match="STAGE must be set"):
        load_settings({"SECRET_KEY": "x" * 40})


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_stages_without_a_key_get_a_random_one_per_load(stage: str) -> None:
    # When a local stage is loaded twice without SECRET_KEY
    first, second = load_settings({"STAGE": stage}), load_settings({"STAGE": stage})
    # Then each gets its own random key, never the old public constant
    assert first.is_local
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key
    assert OLD_PUBLIC_KEY not in {first.secret_key, second.secret_key}


@pytest.mark.parametrize("stage", ["prod", "dev", "staging"])
def test_other_stages_without_a_key_are_refused(stage: str) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"STAGE": stage})


def test_short_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="32"):
        load_settings({"STAGE": "prod", "SECRET_KEY": "short"})


def test_values_come_from_their_variables() -> None:
    settings = load_settings(
        {"STAGE": "prod", "SECRET_KEY": "x" * 40, "TABLE_NAME": "t1", "ACCESS_TOKEN_MINUTES": "5"}
    )
    assert (settings.table_name, settings.access_token_minutes) == ("t1", 5)


def test_a_session_lives_30_days_unless_configured() -> None:
    assert load_settings({"STAGE": "test"}).session_max_days == 30
    assert load_settings({"STAGE": "test", "SESSION_MAX_DAYS": "7"}).session_max_days == 7
    with pytest.raises(SettingsError):
        load_settings({"STAGE": "test", "SESSION_MAX_DAYS": "0"})


def test_invalid_number_is_a_settings_error() -> None:
    with pytest.raises(SettingsError):
        load_settings({"STAGE": "test", "ACCESS_TOKEN_MINUTES": "soon"})


def test_every_deployed_stage_names_itself_and_ships_no_key() -> None:
    # Given the Chalice config that sets the deployed functions' environment
    config = json.loads((PROJECT / ".chalice" / "config.json").read_text())
    shared = config.get("environment_variables", {})
    assert "STAGE" not in shared
    for name, stage in config["stages"].items():
        env = stage.get("environment_variables", {})
        # Then every stage sets STAGE to its own name, and no key is written into the config
        assert env.get("STAGE") == name
        assert "SECRET_KEY" not in env
    assert "SECRET_KEY" not in shared


def test_no_source_file_carries_the_old_public_key() -> None:
    sources = [*(PROJECT / "chalicelib").rglob("*.py"), *(PROJECT / "infra").rglob("*.py")]
    assert not [p for p in sources if OLD_PUBLIC_KEY in p.read_text()]


# --- `make run`'s key: one per data directory, kept with the data ----------------------------


def test_a_data_directory_keeps_one_private_key(tmp_path: Path) -> None:
    # When the stack starts twice on the same data directory
    first, second = data_dir_secret(tmp_path), data_dir_secret(tmp_path)
    # Then both runs share one random key, stored with the data, readable by the owner only
    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / SECRET_FILE).st_mode)
    assert mode == 0o600


def test_different_data_directories_get_different_keys(tmp_path: Path) -> None:
    assert data_dir_secret(tmp_path / "a") != data_dir_secret(tmp_path / "b")


def test_an_in_memory_stack_gets_a_fresh_key_and_an_explicit_key_wins(tmp_path: Path) -> None:
    in_memory = StackConfig(state_dir=tmp_path)
    assert stack_secret(in_memory, {}) != stack_secret(in_memory, {})
    explicit = "e" * 40
    on_disk = StackConfig(state_dir=tmp_path, data_dir=tmp_path / "data")
    assert stack_secret(on_disk, {"SECRET_KEY": explicit}) == explicit
    assert not (tmp_path / "data" / SECRET_FILE).exists()
