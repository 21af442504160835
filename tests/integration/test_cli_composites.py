"""`rr resources parts` against a real HTTP API: set, show (both sides, --json and table),
clear, and a refusal in words (composite resources, issue 14)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_helpers import admin, new_user, unique


def test_parts_are_set_shown_and_cleared(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    hall, a, b = (
        boss.json("resources", "create", unique(n))["resource_id"] for n in ("Hall ", "A ", "B ")
    )
    assert boss.json("resources", "parts", "set", hall, a, b)["parts"] == [a, b]
    assert boss.json("resources", "parts", "show", a)["part_of"] == [hall]
    assert a in boss.ok("resources", "parts", "show", hall).stdout
    assert (
        "a resource cannot be its own part"
        in boss.fails("resources", "parts", "set", hall, hall).stderr
    )
    rr, _ = new_user(cli_api, tmp_path)
    assert rr.fails("resources", "parts", "clear", hall).exit_code != 0
    assert boss.json("resources", "parts", "clear", hall)["parts"] == []
    assert boss.json("resources", "parts", "show", b)["part_of"] == []
