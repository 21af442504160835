"""`rr admin jobs` and `rr admin dead-letters` against a real HTTP API (admins only)."""

from __future__ import annotations

from pathlib import Path

from chalicelib.topology import TOPOLOGY
from tests.integration.cli_helpers import admin, new_user


def test_jobs_are_listed_and_run_now(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given an admin
    boss = admin(cli_pipeline_api, tmp_path)
    # When they list the jobs, Then every scheduled job is there with its rate
    jobs = boss.json("admin", "jobs", "list")
    assert [j["name"] for j in jobs] == [s.name for s in TOPOLOGY.schedules]
    assert "expire-reservations" in boss.ok("admin", "jobs", "list").stdout
    # When they run one now, Then its result comes back (JSON for scripts, a record for people)
    run = boss.json("admin", "jobs", "run", "expire-reservations")
    assert run["name"] == "expire-reservations" and isinstance(run["result"], dict)
    shown = boss.ok("admin", "jobs", "run", "audit-retention").stdout
    assert "audit-retention" in shown and "times in Europe/Paris" in shown
    # And an unknown job is the API's 404 in words, with the jobs that exist
    unknown = boss.fails("admin", "jobs", "run", "no-such-job")
    assert "no job named 'no-such-job' [job_not_found, HTTP 404]" in unknown.stderr
    assert "expire-reservations" in unknown.stderr


def test_dead_letters_are_inspected_and_redriven(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given an admin
    boss = admin(cli_pipeline_api, tmp_path)
    # When they list the dead-letter queues, Then each worker queue has its DLQ and a count
    queues = boss.json("admin", "dead-letters", "list")
    assert [q["queue"] for q in queues] == [q.name for q in TOPOLOGY.queues]
    assert all(q["approximate_count"] == 0 for q in queues)
    # When they inspect one, by its queue or its DLQ name
    audit = TOPOLOGY.queue("reserver-audit")
    assert boss.json("admin", "dead-letters", "show", audit.dlq_name)["queue"] == audit.name
    assert (
        f"no dead letters in {audit.dlq_name}"
        in boss.ok("admin", "dead-letters", "show", audit.name).stdout
    )
    # And redrive it, Then the CLI says how many moved
    moved = boss.json("admin", "dead-letters", "redrive", audit.name, "--max", "5")
    assert moved == {"queue": audit.name, "moved": 0}
    said = boss.ok("admin", "dead-letters", "redrive", audit.name).stdout
    assert f"0 message(s) moved back to {audit.name}." in said
    # And a queue that does not exist is refused in words, locally and by the API
    assert (
        "no worker queue named 'nope'" in boss.fails("admin", "dead-letters", "show", "nope").stderr
    )
    refused = boss.fails("admin", "dead-letters", "redrive", "nope")
    assert "queue_not_found, HTTP 404" in refused.stderr


def test_only_admins(cli_pipeline_api: str, tmp_path: Path) -> None:
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    for args in (
        ("jobs", "list"),
        ("jobs", "run", "expire-reservations"),
        ("dead-letters", "list"),
    ):
        refused = rr.fails("admin", *args)
        assert "HTTP 403" in refused.stderr and refused.stdout == ""
