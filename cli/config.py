"""The token store: one JSON file, readable by its owner only (mode 0600, directory 0700).

Tokens are kept per API URL, so pointing `--api-url` at another server never sends it the
tokens of the first. Writes are atomic (temp file + rename) and a lock file serialises token
refreshes between concurrent `rr` processes: two processes presenting the same refresh token
would look like token theft to the API (reuse detection) and log the user out.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "credentials.json"
_FORMAT_VERSION = 1


class ConfigError(RuntimeError):
    """The credentials file cannot be read or written; the message says which and why."""


@dataclass(frozen=True)
class Credentials:
    username: str
    access_token: str
    refresh_token: str | None = None
    token_type: str = "bearer"
    expires_at: float | None = None  # epoch seconds of the access token's expiry


def config_dir(environ: dict[str, str] | None = None) -> Path:
    """$RR_CONFIG_DIR, else $XDG_CONFIG_HOME/resource-reserver, else ~/.config/..."""
    env = os.environ if environ is None else environ
    if env.get("RR_CONFIG_DIR"):
        return Path(env["RR_CONFIG_DIR"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "resource-reserver"


class CredentialStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME

    def load(self, api_url: str) -> Credentials | None:
        entry = self._read().get("servers", {}).get(_key(api_url))
        if not isinstance(entry, dict):
            return None
        try:
            return Credentials(**entry)
        except TypeError:  # written by an incompatible version: treat as signed out
            return None

    def save(self, api_url: str, credentials: Credentials) -> None:
        data = self._read()
        data.setdefault("servers", {})[_key(api_url)] = asdict(credentials)
        self._write(data)

    def clear(self, api_url: str) -> bool:
        data = self._read()
        removed = data.get("servers", {}).pop(_key(api_url), None) is not None
        if removed:
            self._write(data)
        return removed

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock shared by every `rr` process using this directory."""
        self._ensure_dir()
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _read(self) -> dict[str, Any]:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {"version": _FORMAT_VERSION, "servers": {}}
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            # Someone loosened it (or an old copy): tighten before reading secrets from it.
            os.chmod(self.path, 0o600)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read {self.path}: {exc}; delete it and sign in again"
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path} is not a credentials file; delete it")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self._ensure_dir()
        data["version"] = _FORMAT_VERSION
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".credentials.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            os.replace(temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise ConfigError(f"cannot write {self.path}: {exc}") from exc

    def _ensure_dir(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create {self.directory}: {exc}") from exc


def _key(api_url: str) -> str:
    return api_url.rstrip("/")
