"""`rr resources ...` against a real HTTP API: catalogue, CSV, maintenance, hours, tags."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_helpers import Rr, admin, new_user, unique


def create_resource(boss: Rr, name: str, *extra: str) -> dict[str, object]:
    created: dict[str, object] = boss.json("resources", "create", name, *extra)
    return created


def test_admin_creates_and_everyone_reads(cli_api: str, tmp_path: Path) -> None:
    # Given an admin and a plain user
    boss = admin(cli_api, tmp_path)
    rr, _ = new_user(cli_api, tmp_path)
    name = unique("Room ")
    # When the admin creates a resource with every kind of option
    created = create_resource(
        boss,
        name,
        "--description",
        "Big table",
        "--tag",
        "Projector",
        "--tag",
        "quiet",
        "--capacity",
        "12",
        "--building",
        "HQ",
        "--floor",
        "2",
        "--room",
        "201",
        "--timezone",
        "Europe/Paris",
        "--min-duration",
        "30",
        "--buffer-after",
        "10",
    )
    # Then the API normalised and stored it
    assert created["tags"] == ["projector", "quiet"]
    assert created["location"] == {"building": "HQ", "floor": "2", "room": "201"}
    assert (created["min_duration_minutes"], created["buffer_after_minutes"]) == (30, 10)
    # And a user finds it by text and reads it by exact name (any case)
    listed = rr.json("resources", "list", "--q", name)
    assert [r["resource_id"] for r in listed] == [created["resource_id"]]
    assert rr.json("resources", "get", name.upper())["resource_id"] == created["resource_id"]
    shown = rr.ok("resources", "get", name).stdout
    assert "Big table" in shown and "projector, quiet" in shown and "times in Europe/Paris" in shown
    # And a user may not create one
    refused = rr.fails("resources", "create", unique("Nope "))
    assert "HTTP 403" in refused.stderr


def test_update_uses_the_version_and_delete_asks_first(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    name = unique("Desk ")
    created = create_resource(boss, name, "--tag", "a", "--building", "HQ")
    # When updating some fields (a partial location keeps the rest)
    updated = boss.json(
        "resources",
        "update",
        name,
        "--capacity",
        "3",
        "--floor",
        "4",
        "--clear-tags",
        "--max-duration",
        "120",
    )
    # Then only those changed, and the version moved on
    assert (updated["capacity"], updated["tags"], updated["max_duration_minutes"]) == (3, [], 120)
    assert updated["location"]["building"] == "HQ" and updated["location"]["floor"] == "4"
    assert updated["version"] > created["version"]
    assert "nothing to change" in boss.fails("resources", "update", name).stderr
    # When deleting without --yes and answering no, Then nothing happens
    assert boss("resources", "delete", name, input="n\n").exit_code == 1
    assert boss.json("resources", "get", name)["name"] == name
    # When confirmed, Then it is gone
    boss.ok("resources", "delete", name, "--yes")
    assert "no resource with id or name" in boss.fails("resources", "get", name).stderr


def test_listing_every_page_reports_progress_on_stderr(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    tag = unique("batch")
    for index in range(5):
        create_resource(boss, unique(f"Batch{index} "), "--tag", tag)
    # When listing two per page, following cursors
    result = boss.ok("resources", "list", "--tag", tag, "--limit", "2", "--all", "--json")
    # Then every item comes once, and the page count went to stderr (stdout stays JSON)
    import json

    items = json.loads(result.stdout)
    assert len(items) == len({i["resource_id"] for i in items}) == 5
    assert "resources: 5 in 3 page(s)" in result.stderr
    # And one page without --all stops at the limit
    assert len(boss.json("resources", "list", "--tag", tag, "--limit", "2")) == 2
    # And the table view shows the names
    table = boss.ok("resources", "list", "--tag", tag, "--all").stdout
    assert table.count("Batch") == 5


def test_csv_upload_is_all_or_nothing_with_row_errors(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    first, second = unique("Csv "), unique("Csv ")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"name,capacity,timezone\n{first},4,UTC\n{second},zero,Mars/Base\n")
    # When a file with one bad row is uploaded
    result = boss.fails("resources", "upload", str(bad))
    # Then the bad row is reported with its number and nothing was imported
    assert "nothing was imported" in result.stderr
    assert "capacity" in result.stdout and "timezone" in result.stdout
    assert "2" in result.stdout
    assert boss.json("resources", "list", "--q", first) == []
    # When the file is fixed, Then both rows are imported
    good = tmp_path / "good.csv"
    good.write_text(f"name,tags,capacity\n{first},csv;lab,4\n{second},csv,2\n")
    assert "Imported 2 resource(s)" in boss.ok("resources", "upload", str(good)).stdout
    assert {r["name"] for r in boss.json("resources", "list", "--q", "Csv ", "--all")} >= {
        first,
        second,
    }
    # And a missing file is refused before any request
    assert boss("resources", "upload", str(tmp_path / "nope.csv")).exit_code == 2


def test_maintenance_enable_disable_and_status(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    rr, _ = new_user(cli_api, tmp_path)
    name = unique("Van ")
    create_resource(boss, name)
    # When the admin starts maintenance, Then everyone sees it in the live status
    assert (
        "maintenance for 4 h"
        in boss.ok(
            "resources", "maintenance", name, "--reason", "tyres", "--auto-reset-hours", "4"
        ).stdout
    )
    status = rr.json("resources", "status", name)
    assert status["status"] == "maintenance"
    assert status["maintenance"]["reason"] == "tyres"
    assert "tyres" in rr.ok("resources", "status", name).stdout
    # When it ends, Then it is available again
    boss.ok("resources", "available", name)
    assert rr.json("resources", "status", name)["status"] == "available"
    # When disabled, Then the status says so; enabling restores it
    boss.ok("resources", "disable", name)
    assert rr.json("resources", "get", name)["status"] == "disabled"
    assert rr.json("resources", "list", "--q", name, "--disabled")[0]["enabled"] is False
    boss.ok("resources", "enable", name)
    assert rr.json("resources", "get", name)["enabled"] is True
    # And users may not change it
    assert "HTTP 403" in rr.fails("resources", "disable", name).stderr
    summary = boss.json("resources", "summary")
    assert summary["total"] >= summary["enabled"] >= 1


def test_business_hours(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    name = unique("Lab ")
    create_resource(boss, name, "--timezone", "Europe/Paris")
    # When the admin sets weekday hours and a Saturday morning
    week = boss.json(
        "resources",
        "hours",
        "set",
        "-r",
        name,
        "--day",
        "weekdays=08:00-18:00",
        "--day",
        "sat=9:00-12:00",
    )
    # Then the API stores them, Sunday closed
    assert week["days"]["mon"] == {"opens": "08:00", "closes": "18:00"}
    assert week["days"]["sat"] == {"opens": "09:00", "closes": "12:00"}
    assert week["days"].get("sun") is None
    shown = boss.ok("resources", "hours", "show", "-r", name).stdout
    assert "its own hours" in shown and "closed" in shown
    # When cleared, Then it falls back to the default
    cleared = boss.json("resources", "hours", "set", "-r", name, "--clear")
    assert cleared["days"] is None
    assert (
        "HTTP 422"
        in boss.fails("resources", "hours", "set", "-r", name, "--day", "mon=18:00-08:00").stderr
    )
    assert (
        "cannot read"
        in boss.fails("resources", "hours", "set", "-r", name, "--day", "funday=1:00-2:00").stderr
    )
    boss.ok("resources", "hours", "show")  # the global default is readable


def test_blackouts_per_resource(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    name = unique("Hall ")
    create_resource(boss, name, "--timezone", "Europe/Paris")
    # When a blackout is added to the resource, Then it is listed and can be removed
    added = boss.json(
        "resources",
        "blackouts",
        "add",
        "2030-12-24",
        "2030-12-26",
        "--reason",
        "holidays",
        "-r",
        name,
    )
    listed = boss.json("resources", "blackouts", "list", "-r", name, "--from", "2030-01-01")
    assert added["blackout_id"] in [b["blackout_id"] for b in listed]
    boss.ok("resources", "blackouts", "delete", added["blackout_id"], "-r", name, "--yes")
    assert boss.json("resources", "blackouts", "list", "-r", name, "--from", "2030-01-01") == []
    assert (
        "YYYY-MM-DD"
        in boss.fails(
            "resources", "blackouts", "add", "24/12/2030", "2030-12-26", "--reason", "x"
        ).stderr
    )


def test_tags_list_rename_delete(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    old, new = unique("old"), unique("new")
    name = unique("Tagged ")
    create_resource(boss, name, "--tag", old)
    assert {"tag": old, "count": 1} in boss.json("resources", "tags", "list")
    assert "on 1 resource(s)" in boss.ok("resources", "tags", "rename", old, new).stdout
    assert boss.json("resources", "get", name)["tags"] == [new]
    assert "from 1 resource(s)" in boss.ok("resources", "tags", "delete", new, "--yes").stdout
    assert boss.json("resources", "get", name)["tags"] == []


def test_search_and_get_by_id(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    rr, _ = new_user(cli_api, tmp_path)
    name = unique("Studio ")
    created = create_resource(boss, name, "--capacity", "20", "--tag", "music")
    # When searching by text and capacity, Then the resource is found
    found = rr.json("resources", "search", "--q", name.lower(), "--capacity-min", "10")
    assert [r["resource_id"] for r in found] == [created["resource_id"]]
    assert rr.json("resources", "search", "--q", name, "--capacity-min", "21") == []
    # When reading it by id, Then it is the same resource
    assert rr.json("resources", "get", str(created["resource_id"]))["name"] == name
    missing = rr.fails("resources", "get", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert "no resource with id or name" in missing.stderr


def test_system_health_and_versions(cli_api: str, tmp_path: Path) -> None:
    rr = Rr(cli_api, tmp_path)
    health = rr.json("system", "health")
    assert health["status"] == "ok" and health["checks"] == {"dynamodb": "ok"}
    assert "dynamodb" in rr.ok("system", "health").stdout
    assert rr.json("system", "versions")["current"] == "v1"
