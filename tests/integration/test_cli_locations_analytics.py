"""`rr calendar location-feed` and `rr analytics utilisation --by building|location` against a
real HTTP API (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.calendar_kit import parse_feed, path_of
from tests.integration.cli_helpers import admin, new_user, unique


def test_a_location_feed_setting_and_utilisation_per_building_and_location(
    cli_api: str, tmp_path: Path
) -> None:
    boss = admin(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    building = unique("Tower ")
    room = unique("Loc room ")
    created = boss.json("resources", "create", room, "--building", building, "--timezone", "UTC")
    group = boss.json("groups", "create", unique("Site "), "--kind", "building")["group_id"]
    boss.ok("groups", "assign", group, created["resource_id"])
    start = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT10:00Z")
    alice.json("reserve", room, start, "-d", "1h")

    # The location's feed: off, then tokenized; the URL answers without signing in
    assert boss.json("calendar", "location-feed", group)["mode"] == "off"
    made = boss.json("calendar", "location-feed", group, "--mode", "token")
    url = cli_api.rstrip("/") + path_of(made["url"])
    events = parse_feed(httpx.get(url).text)
    assert [(e.start.hour, e.status) for e in events] == [(10, "CONFIRMED")]
    assert "token" in boss.ok("calendar", "location-feed", group).stdout
    assert "admin" in alice.fails("calendar", "location-feed", group, "--mode", "public").stderr
    assert "--mode must be" in boss.fails("calendar", "location-feed", group, "--mode", "x").stderr

    # Utilisation per building and per location (admins: every resource, booked or not)
    by_building = boss.json("analytics", "utilisation", "--by", "building", "--building", building)
    assert [r["building"] for r in by_building] == [building]
    by_location = boss.json("analytics", "utilisation", "--by", "location", "--location", group)
    assert [r["location_id"] for r in by_location] == [group]
    assert building in boss.ok("analytics", "utilisation", "--by", "building").stdout
    assert "--by must be" in boss.fails("analytics", "utilisation", "--by", "floor").stderr
    target = tmp_path / "util.csv"
    boss.ok("analytics", "export", "utilisation", str(target), "--by", "location")
    assert target.read_text(encoding="utf-8").startswith("location_id,name,")
