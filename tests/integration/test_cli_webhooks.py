"""`rr webhooks` against a real HTTP API: the whole subscription life, test pings and the
delivery log, redelivery, secret rotation, the admins' allow-list, and refusals in words.

The test server never sends webhooks out (its delivery queue is not pumped), so deliveries
stay pending: what is checked here is what the CLI shows and sends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.cli_helpers import Rr, admin, new_user

URL = "https://hooks.example.com/rr"


def create_hook(rr: Rr, *extra: str) -> dict[str, Any]:
    created: dict[str, Any] = rr.json(
        "webhooks", "create", URL, "-e", "reservation.created", *extra
    )
    return created


def test_subscription_life_with_secret_shown_once(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a user and the event catalogue (readable without signing in)
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    names = [e["name"] for e in rr.json("webhooks", "events")]
    assert "reservation.created" in names
    # When they create a webhook for people (a table, the secret, a warning on stderr)
    shown = rr.ok("webhooks", "create", URL, "-e", "reservation.created", "--description", "ops")
    assert "whsec_" in shown.stdout and "shown only now" in shown.stderr
    # And one more for scripts
    hook = create_hook(rr, "-e", "reservation.cancelled", "--inactive")
    assert sorted(hook["events"]) == ["reservation.cancelled", "reservation.created"]
    assert str(hook["secret"]).startswith("whsec_") and hook["active"] is False
    hook_id = str(hook["webhook_id"])
    # Then both are listed, and show never prints the secret
    assert len(rr.json("webhooks", "list")) == 2
    assert "secret" not in rr.json("webhooks", "show", hook_id)
    assert "ops" in rr.ok("webhooks", "list").stdout
    # When they update it: the event list replaces the old one, --active resumes it
    updated = rr.json("webhooks", "update", hook_id, "-e", "*", "--active", "--description", "all")
    assert (updated["events"], updated["active"], updated["description"]) == (["*"], True, "all")
    assert "Webhook updated" in rr.ok("webhooks", "update", hook_id, "--inactive").stdout
    # And rotate its secret: a new one, shown once
    rotated = rr.json("webhooks", "rotate-secret", hook_id)
    assert rotated["secret"] != hook["secret"]
    # And delete it, Then it is gone (404 in words)
    assert f"Webhook {hook_id} deleted." in rr.ok("webhooks", "delete", hook_id, "--yes").stdout
    gone = rr.fails("webhooks", "show", hook_id)
    assert "HTTP 404" in gone.stderr and gone.stdout == ""


def test_ping_delivery_log_and_redelivery(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a webhook
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    hook_id = str(create_hook(rr)["webhook_id"])
    # When its owner sends a test ping
    ping = rr.json("webhooks", "test", hook_id)
    assert ping["event_name"] == "webhook.ping" and ping["status"] == "pending"
    # Then the delivery log lists it, and the delivery shows its signed payload
    log = rr.json("webhooks", "deliveries", hook_id)
    assert [d["delivery_id"] for d in log] == [ping["delivery_id"]]
    detail = rr.ok("webhooks", "delivery", hook_id, ping["delivery_id"]).stdout
    assert "webhook.ping" in detail and '"message": "ping"' in detail and "no attempt yet" in detail
    # When they redeliver it, Then a new delivery points at the first one
    again = rr.json("webhooks", "redeliver", hook_id, ping["delivery_id"])
    assert again["redelivery_of"] == ping["delivery_id"]
    table = rr.ok("webhooks", "deliveries", hook_id).stdout
    assert table.count("webhook.ping") == 2 and "pending" in table


def test_refusals_are_shown_in_words(cli_pipeline_api: str, tmp_path: Path) -> None:
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    # A URL the API refuses: its message and code, exit 1, nothing on stdout
    bad = rr.fails("webhooks", "create", "ftp://example.com/x", "-e", "reservation.created")
    assert "must start with https://" in bad.stderr
    assert "invalid_webhook_url, HTTP 422" in bad.stderr and bad.stdout == ""
    # An event name the API does not know
    assert "HTTP 422" in rr.fails("webhooks", "create", URL, "-e", "no.such").stderr
    # Someone else's webhook does not exist for you
    other, _ = new_user(cli_pipeline_api, tmp_path)
    hook_id = str(create_hook(rr)["webhook_id"])
    assert "HTTP 404" in other.fails("webhooks", "test", hook_id).stderr
    # Deleting asks first: "no" keeps it
    kept = rr("webhooks", "delete", hook_id, input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.stderr
    assert rr.json("webhooks", "show", hook_id)["webhook_id"] == hook_id
    # Local checks come before any request
    assert "give at least one --event" in rr.fails("webhooks", "create", URL).stderr
    assert "nothing to change" in rr.fails("webhooks", "update", hook_id).stderr


def test_admins_keep_the_allow_list(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given an admin and a user
    boss = admin(cli_pipeline_api, tmp_path)
    rr, name = new_user(cli_pipeline_api, tmp_path)
    # An entry names whom it is for: one webhook or one user's webhooks, never everyone's
    unscoped = boss.fails("webhooks", "allowlist", "add", "10.9.0.0/16")
    assert "exactly one of --webhook or --owner" in unscoped.stderr
    # When the admin allows a private network on one port, for that user's webhooks
    entry = boss.json(
        "webhooks", "allowlist", "add", "10.9.0.0/16", "--port", "8443", "--note", "ci",
        "--owner", name,
    )  # fmt: skip
    assert (entry["network"], entry["port"], entry["note"]) == ("10.9.0.0/16", 8443, "ci")
    assert entry["owner_id"] and entry["webhook_id"] is None
    # Then it is listed, and a user may not see or change the list
    assert entry["entry_id"] in [e["entry_id"] for e in boss.json("webhooks", "allowlist", "list")]
    assert "HTTP 403" in rr.fails("webhooks", "allowlist", "list").stderr
    # When the admin removes it, Then it is gone
    removed = boss.json("webhooks", "allowlist", "remove", str(entry["entry_id"]), "--yes")
    assert removed == {"entry_id": entry["entry_id"], "removed": True}
    assert entry["entry_id"] not in [
        e["entry_id"] for e in boss.json("webhooks", "allowlist", "list")
    ]
