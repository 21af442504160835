"""The CLI's token store: owner-only file, per-server entries, atomic rewrites."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from cli.config import ConfigError, Credentials, CredentialStore, config_dir

API = "http://127.0.0.1:8000"
OTHER = "https://reserver.example.com"


def make_credentials(username: str = "alice", access: str = "access-1") -> Credentials:
    return Credentials(username=username, access_token=access, refresh_token="refresh-1")


def test_saved_credentials_are_private_and_read_back(tmp_path: Path) -> None:
    # Given an empty config directory
    store = CredentialStore(tmp_path / "rr")
    # When credentials are saved
    store.save(API, make_credentials())
    # Then the file is 0600 in a 0700 directory and loads back identical
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert store.load(API) == make_credentials()
    assert store.load(API + "/") == make_credentials()  # trailing slash is the same server


def test_each_api_url_has_its_own_tokens(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(API, make_credentials("alice"))
    store.save(OTHER, make_credentials("bob", "access-2"))
    # When one server's session is cleared, Then the other is untouched
    assert store.clear(API) is True
    assert store.load(API) is None
    assert store.load(OTHER) == make_credentials("bob", "access-2")
    assert store.clear(API) is False


def test_a_loosened_file_is_tightened_before_it_is_read(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(API, make_credentials())
    os.chmod(store.path, 0o644)
    assert store.load(API) is not None
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.path.write_text("{not json")
    with pytest.raises(ConfigError, match="delete it"):
        store.load(API)


def test_an_entry_from_an_incompatible_version_counts_as_signed_out(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.path.write_text(json.dumps({"version": 1, "servers": {API: {"token": "x"}}}))
    assert store.load(API) is None


def test_config_dir_precedence(tmp_path: Path) -> None:
    assert config_dir({"RR_CONFIG_DIR": str(tmp_path)}) == tmp_path
    assert config_dir({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "resource-reserver"
    assert config_dir({}).parts[-2:] == (".config", "resource-reserver")


def test_the_lock_serialises_processes_sharing_the_directory(tmp_path: Path) -> None:
    # Given one holder of the lock
    store = CredentialStore(tmp_path)
    order: list[str] = []

    def second() -> None:
        with store.locked():
            order.append("second")

    with store.locked():
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.1)
        order.append("first")
    worker.join(timeout=5)
    # Then the second holder only got in after the first released it
    assert order == ["first", "second"]
