"""The real `python -m cli` process against the running local stack (DynamoDB Local, moto).

Each call is a new process, as a person or a script would run it: the token file on disk,
the API over HTTP, exit statuses and the split between stdout and stderr are all real.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from infra.local.stack import RunningStack
from tests.e2e.browser import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.e2e.helpers import eventually
from tests.e2e.mailbox import verification_link

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Cli-e2e-password-1"


@dataclass
class Shell:
    """`python -m cli` with its own config directory (one signed-in user per Shell)."""

    api_url: str
    config_dir: Path
    tz: str = "Europe/Paris"

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RR_", "AWS_"))}
        env.update(
            RR_API_URL=self.api_url,
            RR_CONFIG_DIR=str(self.config_dir),
            RR_TZ=self.tz,
            TERMINAL_WIDTH="200",
        )
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = self(*args, stdin=stdin)
        assert done.returncode == 0, f"rr {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str, stdin: str = "") -> Any:
        return json.loads(self.ok(*args, "--json", stdin=stdin).stdout)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def api_url(stack: RunningStack) -> str:
    return stack.urls["api"]


@pytest.fixture(scope="module")
def boss(api_url: str, stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Shell:
    """The stack's first administrator (the browser suite uses the same account), created
    with the one-time setup token the stack printed."""
    setup_token = stack.setup_token
    shell = Shell(api_url, tmp_path_factory.mktemp("cli-admin"))
    if not shell.json("setup", "status")["setup_complete"]:
        shell.ok(
            "setup",
            "init",
            ADMIN_USERNAME,
            "--token-stdin",
            "--password-stdin",
            stdin=f"{setup_token}\n{ADMIN_PASSWORD}\n",
        )
    shell.ok("auth", "login", ADMIN_USERNAME, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    return shell


def signed_up(api_url: str, tmp_path: Path) -> tuple[Shell, str]:
    name = unique("cli")
    shell = Shell(api_url, tmp_path / name)
    shell.ok("auth", "register", name, "--password-stdin", stdin=PASSWORD + "\n")
    shell.ok("auth", "login", name, "--password-stdin", stdin=PASSWORD + "\n")
    return shell, name


def test_a_day_with_rr(boss: Shell, api_url: str, tmp_path: Path) -> None:
    # Given an admin creates a room, and two people sign up and sign in
    room = unique("CLI Room ")
    boss.ok(
        "resources", "create", room, "--tag", "e2e", "--capacity", "6", "--timezone", "Europe/Paris"
    )
    alice, _ = signed_up(api_url, tmp_path)
    bob, _ = signed_up(api_url, tmp_path)
    assert (tmp_path / alice.config_dir.name / "credentials.json").stat().st_mode & 0o077 == 0
    # When alice lists resources, Then the room is there (table for people, JSON for scripts)
    assert room in alice.ok("resources", "list", "--tag", "e2e", "--all").stdout
    assert room in [r["name"] for r in alice.json("resources", "list", "--q", room)]
    # When alice reserves tomorrow 10:00 for an hour (Paris time, typed without an offset)
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    booked = alice.json("reserve", room, f"{day} 10:00", "--duration", "1h")
    assert booked["status"] == "active"
    start = datetime.fromisoformat(booked["start_time"].replace("Z", "+00:00"))
    assert start.utcoffset() == timedelta(0) and start.hour in (8, 9)  # CET/CEST -> UTC
    # When bob asks for an overlapping slot, Then exit 1 and the conflict is explained
    clash = bob(
        "reservations",
        "create",
        "--resource",
        room,
        "--start",
        f"{day} 10:30",
        "--end",
        f"{day} 11:30",
    )
    assert clash.returncode == 1
    assert "reservation_conflict" in clash.stderr
    assert f"conflicts with {day} 10:00 -> {day} 11:00 Europe/Paris" in clash.stderr
    assert clash.stdout == ""
    # When alice lists her reservations, Then she sees the booking in her zone
    listing = alice.ok("reservations", "list").stdout
    assert f"{day} 10:00" in listing and room in listing and "times in Europe/Paris" in listing
    # When she cancels it, Then bob can book the slot
    alice.ok("reservations", "cancel", booked["reservation_id"], "--yes", "--reason", "moved")
    assert alice.json("reservations", "list") == []
    bob.ok("reserve", room, f"{day} 10:30", f"{day} 11:30")
    # When alice signs out, Then her commands need a new sign-in
    alice.ok("auth", "logout")
    after = alice("reservations", "list")
    assert after.returncode == 1 and "rr auth login" in after.stderr


def _wait_for_fresh_totp_step() -> None:
    """Leave room for three consecutive 30 s steps inside the API's +-1 step window."""
    remaining = 30 - (time.time() % 30)
    if remaining < 12:
        time.sleep(remaining + 0.5)


def test_mfa_sign_in_with_otp(api_url: str, tmp_path: Path) -> None:
    # Given a user who turned on two-factor authentication
    shell, name = signed_up(api_url, tmp_path)
    secret = shell.json("mfa", "setup")["secret"]
    totp = pyotp.TOTP(secret)
    _wait_for_fresh_totp_step()
    now = datetime.now(UTC)
    shell.ok("mfa", "verify", "--otp-stdin", stdin=totp.at(now - timedelta(seconds=30)) + "\n")
    shell.ok("auth", "logout")
    # When signing in from a script without a code, Then it says to add --otp-stdin
    without = shell("auth", "login", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert without.returncode == 1 and "--otp-stdin" in without.stderr
    # When the code is on the command line, Then it is refused before anything is sent
    argv = shell("auth", "login", name, "--otp", totp.at(now), stdin=PASSWORD + "\n")
    assert argv.returncode == 1 and "visible to other users" in argv.stderr
    # When the code comes on stdin after the password, Then the session works
    lines = f"{PASSWORD}\n{totp.at(now)}\n"
    shell.ok("auth", "login", name, "--password-stdin", "--otp-stdin", stdin=lines)
    assert shell.json("users", "me")["mfa_enabled"] is True


def test_an_unreachable_api_says_how_to_start_it(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = Shell(f"http://127.0.0.1:{port}", tmp_path)("system", "health")
    assert done.returncode == 1
    assert f"cannot reach the API at http://127.0.0.1:{port}: is `make run` running?" in done.stderr


def test_help_and_health(api_url: str, tmp_path: Path) -> None:
    shell = Shell(api_url, tmp_path)
    assert "reservations" in shell.ok("--help").stdout
    assert "never naive" in shell.ok("reservations", "create", "--help").stdout
    assert shell.json("system", "health")["status"] == "ok"


def test_verify_an_address_with_the_mailed_link(
    api_url: str, stack: RunningStack, tmp_path: Path
) -> None:
    # Given a new account with an address (registration mails the link)
    name = unique("mail")
    address = f"{name}@example.com"
    shell = Shell(api_url, tmp_path / name)
    register = ("auth", "register", name, "--email", address, "--password-stdin")
    shell.ok(*register, stdin=PASSWORD + "\n")
    shell.ok("auth", "login", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert shell.json("users", "me")["email_verified"] is False
    link = eventually(lambda: verification_link(stack, address), 20.0)
    # When a second link is asked for at once, Then it is refused (one mail a minute)
    again = shell("auth", "verify-email")
    assert again.returncode == 1 and "verification_recently_sent" in again.stderr
    # When the link is pasted into `rr auth confirm-email` (stdin for scripts)
    done = shell.json("auth", "confirm-email", "--token-stdin", stdin=link + "\n")
    # Then the address is verified, and the link does not work twice
    assert done == {"email": address, "email_verified": True}
    assert shell.json("users", "me")["email_verified"] is True
    twice = shell("auth", "confirm-email", "--token-stdin", stdin=link + "\n")
    assert twice.returncode == 1 and "invalid_verification_token" in twice.stderr
