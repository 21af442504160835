"""The real `python -m cli` process on the running local stack, for the command groups of
issue 11: notifications, webhooks, audit, admin jobs and dead letters, free slots.

Here the workers run as on AWS (the pump feeds them), so what the stream and the queues
produce arrives a moment later: the test polls for it, as a person would look again.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.topology import TOPOLOGY
from infra.local.stack import RunningStack
from tests.e2e.browser import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.e2e.helpers import eventually
from tests.e2e.test_cli import Shell, signed_up, unique

pytestmark = pytest.mark.e2e
WAIT = 20.0


@pytest.fixture(scope="module")
def ops(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Shell:
    """The stack's first administrator, signed in from its own config directory."""
    shell = Shell(stack.urls["api"], tmp_path_factory.mktemp("cli-ops"))
    if not shell.json("setup", "status")["setup_complete"]:
        shell.ok(
            "setup",
            "init",
            ADMIN_USERNAME,
            "--token-stdin",
            "--password-stdin",
            stdin=f"{stack.setup_token}\n{ADMIN_PASSWORD}\n",
        )
    shell.ok("auth", "login", ADMIN_USERNAME, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    return shell


def test_a_booking_seen_through_every_new_group(
    ops: Shell, stack: RunningStack, tmp_path: Path
) -> None:
    # Given a room, and a user with a webhook to a private address (refused at send time)
    room = unique("Ops room ")
    ops.ok("resources", "create", room, "--timezone", "Europe/Paris")
    alice, _ = signed_up(stack.urls["api"], tmp_path)
    hook = alice.json("webhooks", "create", "http://127.0.0.1:9/hook", "-e", "reservation.created")
    # When she looks for free time in three days and books the next free hour from 10:00
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=3)).date().isoformat()
    assert alice.json("resources", "slots", room, "--date", day, "--slot", "1h")["slots"]
    found = alice.json("resources", "next", room, "-d", "1h", "--after", f"{day} 10:00")
    start = found["slot"]["local_start"]
    assert start.startswith(f"{day}T10:00")
    booked = alice.json("reserve", room, start, "-d", "1h")
    # Then the booking's notification arrives, and she marks it read
    unread = eventually(
        lambda: alice.json("notifications", "list", "--unread")["items"], WAIT, every=0.5
    )
    assert unread[0]["kind"] == "reservation.created"
    assert "1 notification(s) marked read." in alice.ok("notifications", "read-all").stdout
    # And her webhook got a delivery whose attempt was refused, shown in words
    delivery = eventually(lambda: _attempted(alice, hook["webhook_id"]), WAIT, every=0.5)
    shown = alice.ok("webhooks", "delivery", hook["webhook_id"], delivery["delivery_id"]).stdout
    assert "reservation.created" in shown and booked["reservation_id"] in shown
    # And her activity lists the booking, made through the CLI
    mine = eventually(lambda: alice.json("audit", "my-activity", "--action", "created"), WAIT)
    assert [(e["entity_id"], e["channel"]) for e in mine if e["entity_type"] == "reservation"] == [
        (booked["reservation_id"], "cli")
    ]
    # And the admin exports the reservation's history to a file
    target = tmp_path / "history.csv"
    said = ops.ok(
        "audit", "export", str(target), "--entity-type", "reservation",
        "--entity-id", booked["reservation_id"],
    )  # fmt: skip
    assert "Wrote 1 audit entry" in said.stdout
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [(r["action"], r["actor_id"]) for r in rows] == [("created", mine[0]["actor_id"])]
    # And a user is refused the admin's view, in words
    assert "HTTP 403" in alice("audit", "query").stderr


def _attempted(shell: Shell, webhook_id: str) -> dict[str, Any] | None:
    for delivery in shell.json("webhooks", "deliveries", webhook_id):
        if delivery["attempts"]:
            return dict(delivery)
    return None


def test_a_poison_message_is_inspected_and_redriven(ops: Shell, sqs: Any) -> None:
    # Given a message the audit worker cannot read, retried until it lands in its DLQ
    queue = TOPOLOGY.queue("reserver-audit")
    url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    marker = unique("poison-")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"not": "an event", "m": marker}))

    def dead() -> list[dict[str, Any]]:
        shown = ops.json("admin", "dead-letters", "show", queue.name)
        return [m for m in shown["messages"] if marker in m["body_excerpt"]]

    letters = eventually(dead, 60.0, every=1.0)
    # When the admin looks at it, Then the table shows it with its tries
    assert letters[0]["receive_count"] >= queue.max_receive_count
    assert marker in ops.ok("admin", "dead-letters", "show", queue.name).stdout
    # When they redrive the queue, Then at least that message moves back
    moved = ops.json("admin", "dead-letters", "redrive", queue.name)
    assert moved["queue"] == queue.name and moved["moved"] >= 1
    # And the jobs can be listed and run now
    assert {j["name"] for j in ops.json("admin", "jobs", "list")} == {
        s.name for s in TOPOLOGY.schedules
    }
    assert ops.json("admin", "jobs", "run", "expire-reservations")["name"] == "expire-reservations"
