"""Running `rr` in process (Typer's CliRunner) against a real HTTP API, as one user.

Each `Rr` has its own config directory, so several signed-in users can coexist in a test.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from cli.app import app
from tests.integration.cli_server import SETUP_TOKENS

ADMIN = "cliadmin"
PASSWORD = "Cli-password-123"


@dataclass
class Rr:
    api_url: str
    config_dir: Path
    tz: str = "Europe/Paris"
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(
            app,
            ["--api-url", self.api_url, *args],
            input=input,
            env={"RR_CONFIG_DIR": str(self.config_dir), "RR_TZ": self.tz},
        )

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"rr {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result

    def fails(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 1, f"rr {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input).stdout)

    def credentials_file(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.config_dir / "credentials.json").read_text())
        return data["servers"][self.api_url]


def unique(prefix: str) -> str:
    """Names are unique per test: the API process lives for the whole session."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def new_user(api_url: str, tmp_path: Path, username: str | None = None) -> tuple[Rr, str]:
    """A freshly registered and signed-in user."""
    name = username or unique("u")
    rr = Rr(api_url, tmp_path / name)
    rr.ok("auth", "register", name, "--password-stdin", input=f"{PASSWORD}\n")
    rr.ok("auth", "login", name, "--password-stdin", input=f"{PASSWORD}\n")
    return rr, name


def admin(api_url: str, tmp_path: Path) -> Rr:
    """The session's first administrator (created on first use), signed in."""
    rr = Rr(api_url, tmp_path / "admin")
    if not rr.json("setup", "status")["setup_complete"]:
        token = SETUP_TOKENS[api_url]
        rr.ok(
            "setup",
            "init",
            ADMIN,
            "--token-stdin",
            "--password-stdin",
            input=f"{token}\n{PASSWORD}\n",
        )
    rr.ok("auth", "login", ADMIN, "--password-stdin", input=f"{PASSWORD}\n")
    return rr
