"""`rr quotas ...` and `rr reserve --dry-run` against a real HTTP API: an admin adds a rule
(scoped to one room, so other tests on the server are unaffected), a user sees the usage,
the dry run forecasts, a refusal lists every failed rule and Plan B; overrides; clean-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def test_quotas_cli_end_to_end(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Room ")
    created = boss.json("resources", "create", room, "--timezone", "Europe/Paris", "--json")
    rid = created["resource_id"]
    rule = boss.json(
        "quotas", "rules", "add", "--name", "Room day", "--metric", "hours", "--limit", "2",
        "--period", "day", "--scope", "resource", "--of", rid, "--json",
    )  # fmt: skip
    try:
        alice, _ = new_user(cli_api, tmp_path)
        day = (datetime.now(PARIS) + timedelta(days=3)).date()
        # A dry run writes nothing and says what the quota would be after
        dry = alice.json("reserve", room, f"{day} 10:00", "--duration", "1h", "--dry-run")
        assert dry["ok"] is True and dry["quota"][0]["after"] == 60
        forecast = alice.ok("reserve", room, f"{day} 10:00", "--duration", "1h", "--dry-run")
        assert "would be booked" in forecast.stdout and "1 h of 2 h" in forecast.stdout
        alice.ok("reserve", room, f"{day} 10:00", "--duration", "90m")
        usage = alice.json("quotas", "usage")
        assert [u["used"] for u in usage if u["rule_id"] == rule["rule_id"]][-1] == 90
        # A refusal names the rule with the numbers, and offers Plan B
        over = alice.fails("reserve", room, f"{day} 14:00", "--duration", "1h")
        assert "quota_exceeded" in over.stderr
        assert "you have 1 h 30 min booked, this adds 1 h" in over.stderr
        assert "Plan B" in over.stderr  # the next day's windows fit the daily limit
        # The admin views list the rule
        listed = boss.json("quotas", "rules", "list")
        assert rule["rule_id"] in {r["rule_id"] for r in listed}
        assert boss.json("quotas", "summary")
        assert boss.ok("quotas", "overrides", "list").stdout
    finally:
        boss.ok("quotas", "rules", "delete", rule["rule_id"])
