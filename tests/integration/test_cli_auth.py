"""`rr auth`, `rr setup`, `rr users`, `rr mfa`, `rr admin` against a real HTTP API."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from tests.integration.cli_helpers import ADMIN, PASSWORD, Rr, admin, new_user, unique


def test_setup_is_complete_once_and_cannot_be_run_again(cli_api: str, tmp_path: Path) -> None:
    # Given the first admin exists
    rr = admin(cli_api, tmp_path)
    # When setup is asked again
    assert rr.json("setup", "status") == {"setup_complete": True}
    result = rr.fails(
        "setup",
        "init",
        unique("x"),
        "--token-stdin",
        "--password-stdin",
        input=f"rrsetup_any\n{PASSWORD}\n",
    )
    # Then it is refused with the API's code, and nothing is printed on stdout
    assert "setup_complete" in result.stderr
    assert result.stdout == ""


def test_register_login_status_logout(cli_api: str, tmp_path: Path) -> None:
    # Given a new account, registered with the password typed twice at a hidden prompt
    name = unique("alice")
    rr = Rr(cli_api, tmp_path)
    created = rr.ok(
        "auth",
        "register",
        name,
        "--email",
        f"{name}@example.com",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert f"Account {name} created" in created.stdout
    assert PASSWORD not in created.stdout
    # When signing in at the prompt
    rr.ok("auth", "login", name, input=f"{PASSWORD}\n")
    # Then the token file is private and status shows who we are
    assert stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode) == 0o600
    status = rr.json("auth", "status")
    assert status["signed_in"] is True
    assert status["user"]["username"] == name
    assert status["user"]["roles"] == ["user"]
    assert name in rr.ok("auth", "status").stdout
    # When signing out, Then the old access token is refused by the API and status says so
    old_access = rr.credentials_file()["access_token"]
    rr.ok("auth", "logout")
    assert rr.fails("auth", "status").stdout.startswith("Not signed in")
    import httpx

    me = httpx.get(f"{cli_api}/api/v1/users/me", headers={"Authorization": f"Bearer {old_access}"})
    assert me.status_code == 401


def test_bad_password_and_not_signed_in_are_clear_errors(cli_api: str, tmp_path: Path) -> None:
    _, name = new_user(cli_api, tmp_path)
    fresh = Rr(cli_api, tmp_path / "fresh")
    result = fresh.fails("auth", "login", name, "--password-stdin", input="wrong-password-1\n")
    assert "error:" in result.stderr and "HTTP 401" in result.stderr
    result = fresh.fails("users", "me")
    assert "not signed in" in result.stderr and "rr auth login" in result.stderr


def test_register_reports_the_password_rule_that_failed(cli_api: str, tmp_path: Path) -> None:
    rr = Rr(cli_api, tmp_path)
    result = rr.fails("auth", "register", unique("weak"), "--password-stdin", input="short\n")
    assert "HTTP 422" in result.stderr


def test_refresh_rotates_and_a_rejected_token_is_refreshed_automatically(
    cli_api: str, tmp_path: Path
) -> None:
    # Given a signed-in user
    rr, name = new_user(cli_api, tmp_path)
    first = rr.credentials_file()
    # When refreshing explicitly, Then both tokens change
    rr.ok("auth", "refresh")
    second = rr.credentials_file()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    # Given the stored access token stops being accepted (tampered signature)
    creds_path = tmp_path / name / "credentials.json"
    data = json.loads(creds_path.read_text())
    data["servers"][cli_api]["access_token"] = second["access_token"][:-4] + "AAAA"
    creds_path.write_text(json.dumps(data))
    # When any command runs, Then it refreshes once, retries, and stores the new tokens
    assert rr.json("users", "me")["username"] == name
    assert rr.credentials_file()["refresh_token"] != second["refresh_token"]


def test_a_reused_refresh_token_ends_the_session(cli_api: str, tmp_path: Path) -> None:
    rr, name = new_user(cli_api, tmp_path)
    stale = rr.credentials_file()
    rr.ok("auth", "refresh")
    # Given someone replays the old refresh token (reuse: the API revokes the family)
    creds_path = tmp_path / name / "credentials.json"
    data = json.loads(creds_path.read_text())
    data["servers"][cli_api]["refresh_token"] = stale["refresh_token"]
    creds_path.write_text(json.dumps(data))
    result = rr.fails("auth", "refresh")
    # Then the CLI says the session ended and forgets the tokens
    assert "session has ended" in result.stderr
    assert rr.fails("auth", "status").stdout.startswith("Not signed in")


def test_profile_update_and_roles(cli_api: str, tmp_path: Path) -> None:
    rr, _ = new_user(cli_api, tmp_path)
    profile = rr.json(
        "users",
        "update",
        "--reminder-hours",
        "2",
        "--timezone",
        "Asia/Tokyo",
        "--no-email-notifications",
    )
    assert (profile["reminder_hours"], profile["timezone"]) == (2, "Asia/Tokyo")
    assert profile["email_notifications"] is False
    assert rr.json("users", "roles") == ["user"]
    assert "nothing to change" in rr.fails("users", "update").stderr
    assert "HTTP 422" in rr.fails("users", "update", "--timezone", "Mars/Base").stderr


def _totp_steps_ahead() -> None:
    """Wait out the end of a 30 s step, so three consecutive steps stay within the window."""
    remaining = 30 - (time.time() % 30)
    if remaining < 12:
        time.sleep(remaining + 0.5)


def _backup_codes(human_output: str) -> list[str]:
    return [
        line.strip() for line in human_output.splitlines() if re.match(r"^  \w{5}-\w{5}$", line)
    ]


def test_mfa_enrol_sign_in_rotate_codes_disable(cli_api: str, tmp_path: Path) -> None:
    # Given a user who enrols in MFA (a second setup replaces the unconfirmed seed)
    rr, name = new_user(cli_api, tmp_path)
    assert rr.json("mfa", "setup")["otpauth_uri"].startswith("otpauth://totp/")
    human = rr.ok("mfa", "setup", "--qr").stdout
    assert "otpauth URI" in human and "Backup codes" in human and "\u2588" in human
    totp = pyotp.TOTP(human.split("secret:")[1].split()[0])
    _totp_steps_ahead()
    now = datetime.now(UTC)
    # (the code at a hidden prompt, never an argument)
    rr.ok("mfa", "verify", input=f"{totp.at(now - timedelta(seconds=30))}\n")
    rr.ok("auth", "logout")
    # When signing in without a code from a script, Then it says to add --otp-stdin
    result = rr.fails("auth", "login", name, "--password-stdin", input=f"{PASSWORD}\n")
    assert "--otp-stdin" in result.stderr
    # When signing in with --otp-stdin (password line, then code line), Then it works
    script = ("auth", "login", name, "--password-stdin", "--otp-stdin")
    rr.ok(*script, input=f"{PASSWORD}\n{totp.at(now)}\n")
    assert rr.json("users", "me")["mfa_enabled"] is True
    # When the backup codes are replaced (with the next code), Then the old ones stop working
    next_code = totp.at(now + timedelta(seconds=30))
    new_codes = _backup_codes(rr.ok("mfa", "backup-codes", input=f"{next_code}\n").stdout)
    assert len(new_codes) == 10
    old = _backup_codes(human)[0]
    assert "HTTP 401" in rr.fails(*script, input=f"{PASSWORD}\n{old}\n").stderr
    # When signing in interactively, Then the code is asked for; a backup code works once
    rr.ok("auth", "login", name, input=f"{PASSWORD}\n{new_codes[0]}\n")
    assert "HTTP 401" in rr.fails(*script, input=f"{PASSWORD}\n{new_codes[0]}\n").stderr
    # When MFA is disabled (password + a backup code), Then a password alone signs in again
    rr.ok("mfa", "disable", input=f"{PASSWORD}\n{new_codes[1]}\n")
    rr.ok("auth", "login", name, "--password-stdin", input=f"{PASSWORD}\n")
    assert rr.json("users", "me")["mfa_enabled"] is False


def test_password_change_signs_every_session_out(cli_api: str, tmp_path: Path) -> None:
    rr, name = new_user(cli_api, tmp_path)
    other_device = Rr(cli_api, tmp_path / "laptop")
    other_device.ok("auth", "login", name, "--password-stdin", input=f"{PASSWORD}\n")
    # When the password is changed (current, then new twice, at hidden prompts)
    new = "Changed-pass-789"
    rr.ok("users", "password", input=f"{PASSWORD}\n{new}\n{new}\n")
    # Then this session and the other device are signed out; the new password works
    assert rr.fails("auth", "status").stdout.startswith("Not signed in")
    assert "session has ended" in other_device.fails("users", "me").stderr
    rr.ok("auth", "login", name, "--password-stdin", input=f"{new}\n")
    # And a wrong current password is refused
    assert (
        "HTTP 401" in rr.fails("users", "password", input=f"wrong-one-123\n{new}\n{new}\n").stderr
    )


def test_admin_commands(cli_api: str, tmp_path: Path) -> None:
    # Given an admin and a user
    boss = admin(cli_api, tmp_path)
    rr, name = new_user(cli_api, tmp_path)
    # When the admin lists users by prefix, Then the user is there
    listed = boss.json("admin", "users", "--q", name)
    assert [u["username"] for u in listed] == [name]
    # When the admin gives them the guest role (by username) and takes it back
    boss.ok("admin", "assign-role", name, "guest")
    assert "guest" in rr.json("users", "roles")
    boss.ok("admin", "remove-role", name, "guest")
    # When the admin disables the account, Then the user's token stops working
    boss.ok("admin", "disable", name)
    assert rr.fails("users", "me").exit_code == 1
    boss.ok("admin", "enable", name)
    # When the admin resets the password, Then the user signs in with the new one
    boss.ok("admin", "reset-password", name, "--password-stdin", input="Brand-new-pass-42\n")
    rr.ok("auth", "login", name, "--password-stdin", input="Brand-new-pass-42\n")
    # And a plain user may not use admin commands
    assert "HTTP 403" in rr.fails("admin", "users").stderr
    assert {r["name"] for r in boss.json("admin", "roles")} == {"admin", "user", "guest"}
    assert ADMIN in boss.ok("admin", "users", "--all").stdout


def test_oauth_clients(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    created = boss.json("admin", "clients", "create", "reporting", "--scope", "resources:read")
    assert created["client_secret"]
    ids = [c["client_id"] for c in boss.json("admin", "clients", "list")]
    assert created["client_id"] in ids
    boss.ok("admin", "clients", "delete", created["client_id"], "--yes")
    assert created["client_id"] not in [
        c["client_id"] for c in boss.json("admin", "clients", "list")
    ]


def _rr_process(api_url: str, config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `python -m cli` process (what `ps` would show is its argv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RR_")}
    env.update(RR_API_URL=api_url, RR_CONFIG_DIR=str(config_dir), RR_TZ="UTC")
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_no_secret_is_taken_from_the_command_line(cli_api: str, tmp_path: Path) -> None:
    # Given the real CLI process
    # When a code is passed as an argument, Then it is refused before any request is made
    refused = _rr_process(cli_api, tmp_path, "auth", "login", "someone", "--otp", "123456")
    assert refused.returncode == 1 and "visible to other users" in refused.stderr
    # And no command declares an option that takes a password or a code as its value
    help_texts = [
        _rr_process(cli_api, tmp_path, *cmd, "--help").stdout
        for cmd in (
            ("auth", "login"),
            ("auth", "register"),
            ("mfa", "verify"),
            ("mfa", "disable"),
            ("mfa", "backup-codes"),
            ("users", "password"),
            ("setup", "init"),
        )
    ]
    for text in help_texts:
        assert not re.search(r"--(otp|password|code|token)\s+(TEXT|CODE)", text), text
        assert "--otp " not in text


def test_plain_http_to_another_machine_is_warned_about(cli_api: str, tmp_path: Path) -> None:
    # Given an API URL on plain http:// to a non-loopback address (nothing is contacted:
    # without stored tokens `auth status` answers locally)
    remote = _rr_process("http://192.0.2.10:8000", tmp_path, "auth", "status")
    # Then a warning goes to stderr (stdout stays for the answer)
    assert remote.returncode == 1 and "Not signed in" in remote.stdout
    assert "plain http://" in remote.stderr and "unencrypted" in remote.stderr
    # And https://, loopback and localhost are quiet
    for url in ("https://api.example.com", cli_api, "http://localhost:8000", "http://[::1]:8000"):
        quiet = _rr_process(url, tmp_path, "auth", "status")
        assert "plain http://" not in quiet.stderr, url


def test_email_verification_commands(cli_api: str, tmp_path: Path) -> None:
    # Given a user who registered with an address
    name = unique("v")
    rr = Rr(cli_api, tmp_path / name)
    registered = rr.ok(
        "auth", "register", name, "--email", f"{name}@example.com", input=f"{PASSWORD}\n" * 2
    )
    assert "verification link was mailed" in registered.stdout
    rr.ok("auth", "login", name, "--password-stdin", input=f"{PASSWORD}\n")
    # Then the profile says the address is not verified yet
    assert rr.json("auth", "status")["user"]["email_verified"] is False
    assert "verified" in rr.ok("users", "me").stdout
    # And a second link right after registration's is refused with the API's code
    assert "verification_recently_sent" in rr.fails("auth", "verify-email").stderr
    # And a pasted link that we did not sign is refused (the token is read from the link)
    forged = f"{cli_api}/api/v1/auth/verify-email?token=v1.{name}.nonce.9999999999.mac"
    refused = rr.fails("auth", "confirm-email", input=f"{forged}\n")
    assert "invalid_verification_token" in refused.stderr
    # And someone without an address is told so
    other, _ = new_user(cli_api, tmp_path)
    assert "no_email" in other.fails("auth", "verify-email").stderr
