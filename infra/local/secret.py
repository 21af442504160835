"""The local stack's SECRET_KEY: random, one per data directory, kept with the data.

There is no built-in key (issue 9, finding 2: a public default let anyone forge an admin's
token). A stack with a data directory (`RESERVER_DATA_DIR`) keeps its key in that directory,
created once with mode 0600, so tokens, cursors and sealed MFA/webhook secrets stay valid
across restarts exactly as long as the data they belong to. An in-memory stack gets a fresh key
per run (its data dies with it). A `SECRET_KEY` in the environment wins over both.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from infra.local.config import StackConfig

SECRET_FILE = "reserver-secret-key"
MIN_LENGTH = 32


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable key (delete it to get a new one)")
    return key


def data_dir_secret(data_dir: Path) -> str:
    """The key kept in `data_dir`, created (0600, never overwritten) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    key = new_secret()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def stack_secret(config: StackConfig, environ: dict[str, str]) -> str:
    """SECRET_KEY for every child of the stack (they must all share it)."""
    explicit = environ.get("SECRET_KEY", "")
    if explicit:
        return explicit
    if config.data_dir is not None:
        return data_dir_secret(config.data_dir)
    return new_secret()
