"""`rr admin metrics` against a real HTTP API (admins only)."""

from __future__ import annotations

from pathlib import Path

from chalicelib.topology import TOPOLOGY
from tests.integration.cli_helpers import admin, new_user


def test_the_summary_is_shown_to_admins_as_json_and_as_tables(
    cli_pipeline_api: str, tmp_path: Path
) -> None:
    # Given an admin
    boss = admin(cli_pipeline_api, tmp_path)
    # When they ask for the last 15 minutes as JSON, Then the counters and queues come back
    first = boss.json("admin", "metrics", "--minutes", "15")
    assert first["window_minutes"] == 15
    assert [q["queue"] for q in first["queues"]] == [q.name for q in TOPOLOGY.queues]
    # And their own requests are counted (the summary writes its process's buffer first)
    again = boss.json("admin", "metrics", "--minutes", "15")
    assert again["requests"] > first["requests"]
    # When they ask for the tables, Then people read words
    shown = boss.ok("admin", "metrics").stdout
    assert "The last 60 minute(s)" in shown and "booking conflicts" in shown
    assert "Worker queues" in shown and TOPOLOGY.queues[0].name in shown
    # And a window over a day is refused before any request
    too_long = boss("admin", "metrics", "--minutes", "2000")
    assert too_long.exit_code == 2 and "less than or equal to" in too_long.stderr


def test_a_user_is_refused_in_words(cli_pipeline_api: str, tmp_path: Path) -> None:
    someone, _ = new_user(cli_pipeline_api, tmp_path)
    refused = someone.fails("admin", "metrics")
    assert "[admin_required, HTTP 403]" in refused.stderr
