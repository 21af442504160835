"""`rr calendar ...` against a real HTTP API: subscription URL, regenerate, export, feed,
links, and a resource's feed setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.calendar_kit import parse_feed, path_of
from tests.integration.cli_helpers import admin, new_user, unique


def test_subscribe_regenerate_export_and_links(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Cal room ")
    boss.ok("resources", "create", room)
    alice, _ = new_user(cli_api, tmp_path)
    start = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT10:00Z")
    reservation = alice.json("reserve", room, start, "-d", "1h")["reservation_id"]
    # The subscription URL answers without signing in, with this booking in it
    first = alice.json("calendar", "subscription-url")
    assert "feed URL" in alice.ok("calendar", "subscription-url").stdout
    feed_url = cli_api.rstrip("/") + path_of(first["url"])
    events = parse_feed(httpx.get(feed_url).text)
    assert [e.uid for e in events] == [f"{reservation}@resource-reserver"]
    # Regenerating kills the old URL
    again = alice.json("calendar", "regenerate", "--yes")
    assert again["url"] != first["url"]
    assert httpx.get(feed_url).status_code == 404
    # Export to a file; refuse to overwrite without --force
    target = tmp_path / "one.ics"
    saved = alice.json("calendar", "export", reservation, "-o", str(target))
    assert saved["file"] == str(target) and saved["bytes"] > 0
    assert [e.start.hour for e in parse_feed(target.read_bytes().decode())] == [10]
    assert "exists" in alice.fails("calendar", "export", reservation, "-o", str(target)).stderr
    whole = tmp_path / "all.ics"
    alice.ok("calendar", "feed", "-o", str(whole), "--future-days", "30")
    assert len(parse_feed(whole.read_bytes().decode())) == 1
    # Links; someone else's booking is not found
    links = alice.json("calendar", "links", reservation)
    assert links["google"].startswith("https://calendar.google.com/")
    assert "Outlook.com" in alice.ok("calendar", "links", reservation).stdout
    bob, _ = new_user(cli_api, tmp_path)
    assert "reservation_not_found" in bob.fails("calendar", "links", reservation).stderr


def test_a_resource_feed_setting(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Feed room ")
    boss.ok("resources", "create", room)
    alice, _ = new_user(cli_api, tmp_path)

    assert boss.json("calendar", "resource-feed", room)["mode"] == "off"
    made = boss.json("calendar", "resource-feed", room, "--mode", "token")
    url = cli_api.rstrip("/") + path_of(made["url"])
    assert httpx.get(url).status_code == 200
    renewed = boss.json("calendar", "resource-feed", room, "--mode", "token", "--regenerate-token")
    assert renewed["url"] != made["url"] and httpx.get(url).status_code == 404
    assert "HTTP 403" in alice.fails("calendar", "resource-feed", room, "--mode", "public").stderr
    assert "--mode must be" in boss.fails("calendar", "resource-feed", room, "--mode", "x").stderr
