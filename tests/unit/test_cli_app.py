"""The `rr` command tree without a server: help, argument checks, local errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

from cli import __version__
from cli.app import app
from cli.resource_hours import parse_days


def rr(tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    # Nothing listens on port 9: a command that reached the network would fail differently.
    return CliRunner().invoke(
        app,
        ["--api-url", "http://127.0.0.1:9", *args],
        input=stdin,
        env={"RR_CONFIG_DIR": str(tmp_path), "RR_TZ": "Europe/Paris"},
    )


def every_command_path() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        children = getattr(command, "commands", None)
        if not children:
            paths.append(prefix)
            return
        for name, child in children.items():
            walk(child, [*prefix, name])

    walk(get_command(app), [])
    return paths


def test_every_command_has_help(tmp_path: Path) -> None:
    # When each command's --help is shown, Then it renders and describes the command
    paths = every_command_path()
    assert len(paths) >= 46  # the old CLI had 46 commands
    for path in paths:
        result = rr(tmp_path, *path, "--help")
        assert result.exit_code == 0, (path, result.stdout, result.stderr)
        assert "Usage:" in result.stdout


def test_version(tmp_path: Path) -> None:
    assert rr(tmp_path, "--version").stdout.strip() == f"rr {__version__}"


def test_missing_arguments_are_usage_errors(tmp_path: Path) -> None:
    result = rr(tmp_path, "reservations", "create", "--start", "now")
    assert result.exit_code == 2
    assert "--resource" in result.stderr


def test_commands_needing_a_session_say_how_to_sign_in(tmp_path: Path) -> None:
    result = rr(tmp_path, "users", "me")
    assert result.exit_code == 1
    assert "not signed in to http://127.0.0.1:9: run `rr auth login USERNAME`" in result.stderr
    assert result.stdout == ""


def test_status_when_signed_out_is_exit_1_with_json_for_scripts(tmp_path: Path) -> None:
    result = rr(tmp_path, "auth", "status", "--json")
    assert result.exit_code == 1
    assert '"signed_in": false' in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Moon/Base", "upcoming"], "unknown time zone 'Moon/Base'"),
        (["reserve", "Room", "half past nine"], "cannot read 'half past nine'"),
        (["reserve", "Room", "now", "-d", "forever"], "cannot read 'forever' as a duration"),
        (["reservations", "create", "-r", "R", "-s", "now"], "exactly one of --end and --duration"),
        (["resources", "search", "--from", "now"], "give both --from and --until"),
        (["resources", "hours", "set"], "give --day (one or more) or --clear"),
        (["users", "update"], "nothing to change"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = rr(tmp_path, *args)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr


def test_an_api_url_without_scheme_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--api-url", "localhost:8000", "system", "health"],
        env={"RR_CONFIG_DIR": str(tmp_path)},
    )
    assert result.exit_code == 1
    assert "must start with http:// or https://" in result.stderr


def test_an_unreachable_api_is_one_clear_line(tmp_path: Path) -> None:
    result = rr(tmp_path, "system", "health")
    assert result.exit_code == 1
    assert "cannot reach the API at http://127.0.0.1:9: is `make run` running?" in result.stderr


def test_passwords_come_from_a_hidden_prompt_or_stdin(tmp_path: Path) -> None:
    # An empty password from stdin is refused locally
    result = rr(tmp_path, "auth", "login", "alice", "--password-stdin", stdin="\n")
    assert result.exit_code == 1 and "the password is empty" in result.stderr
    # Two different passwords at the prompt are asked again (and never echoed)
    result = rr(tmp_path, "auth", "register", "alice", stdin="One-pass-123\nTwo-pass-123\n")
    assert "do not match" in (result.stdout + result.stderr)
    assert "One-pass-123" not in result.stdout


def test_setup_asks_for_the_setup_token_hidden_or_from_stdin(tmp_path: Path) -> None:
    # An empty token from stdin is refused before any request
    result = rr(tmp_path, "setup", "init", "boss", "--token-stdin", stdin="\n")
    assert result.exit_code == 1 and "the setup token is empty" in result.stderr
    # At the prompt it is asked for first, and never echoed
    result = rr(tmp_path, "setup", "init", "boss", stdin="rrsetup_secret\n")
    assert "Setup token" in result.stdout + result.stderr
    assert "rrsetup_secret" not in result.stdout


def test_week_specs() -> None:
    week = parse_days(["weekdays=8:00-18:00", "sat=09:00-12:30"])
    assert week["mon"] == week["fri"] == {"opens": "08:00", "closes": "18:00"}
    assert week["sat"] == {"opens": "09:00", "closes": "12:30"}
    assert week["sun"] is None
    assert parse_days(["all=00:00-24:00"])["sun"] == {"opens": "00:00", "closes": "24:00"}


def test_config_shows_where_rr_points_without_a_server(tmp_path: Path) -> None:
    result = rr(tmp_path, "--tz", "Asia/Tokyo", "system", "config", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"api_url": "http://127.0.0.1:9"' in result.stdout
    assert '"time_zone": "Asia/Tokyo"' in result.stdout
    assert str(tmp_path / "credentials.json") in result.stdout
    assert '"signed_in_as": null' in result.stdout


def test_a_pasted_verification_link_or_bare_token_gives_the_token() -> None:
    from cli.auth import token_from_link

    link = "http://127.0.0.1:8000/api/v1/auth/verify-email?token=v1.u.n.1.m%2Dx"
    assert token_from_link(link) == "v1.u.n.1.m-x"
    assert token_from_link("  v1.u.n.1.m  ") == "v1.u.n.1.m"
