"""The console command under both names, and Typer's standard shell completion for each."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def test_both_names_are_installed() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"rr": "cli.app:main", "resource-reserver": "cli.app:main_long"}


@pytest.mark.parametrize("name", ["rr", "resource-reserver"])
def test_the_completion_script_is_keyed_on_the_name(name: str) -> None:
    # When a user asks for the bash completion script of either name
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name=name)
    # Then it completes that command
    assert result.exit_code == 0, result.stderr
    assert f"complete -o default -F _{name.replace('-', '_')}_completion {name}" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("rr admin dead", "dead-letters"),
        ("rr webhooks rot", "rotate-secret"),
        ("rr notifications read-", "read-all"),
        ("rr resources ne", "next"),
    ],
)
def test_the_shell_completes_the_new_groups(words: str, expected: str) -> None:
    # Given bash asking for the completions of a partly typed command line
    env = {"_RR_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "2"}
    # When rr answers, Then the command being typed is offered
    result = CliRunner().invoke(app, [], prog_name="rr", env=env)
    assert expected in result.stdout.split()
