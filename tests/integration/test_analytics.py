"""Analytics (issue 12): the counters the pipeline keeps, every endpoint's figures, who sees
what (a user never sees another user's data), bad input, idempotency, and the rebuild."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.topology import ANALYTICS_QUEUE
from tests.factories import auth_headers, register, send_json
from tests.integration.analytics_kit import (
    ANALYTICS,
    ROOM,
    admin,
    counter_items,
    figures,
    get,
    post,
    reserve,
    today,
)
from tests.integration.pipeline_driver import Pipeline
from tests.integration.reservations_kit import create_resource


@pytest.fixture
def world(client: Client, clock: FrozenClock, admin_token: str) -> Pipeline:
    """alice: one checked-in hour and one cancelled booking; bob: one missed hour (a no-show,
    released) that carol rebooks for 30 minutes. The pipeline has run."""
    create_resource(ROOM)
    create_resource("room-2")
    for name in ("alice", "bob", "carol"):
        register(client, name)
    pipeline = Pipeline(app)
    policy = {"required": True}
    assert (
        send_json(
            client, "PUT", f"/api/v1/resources/{ROOM}/check-in", policy, admin(client)
        ).status_code
        == 200
    )
    attended = reserve(client, "alice", today(10), today(11))
    cancelled = reserve(client, "alice", today(14), today(16), room="room-2")
    missed = reserve(client, "bob", today(12), today(13))
    assert (
        post(
            client, "alice", f"/api/v1/reservations/{cancelled}/cancel", {"reason": "no longer"}
        ).status_code
        == 200
    )
    clock.set(today(10, 5))
    assert post(client, "alice", f"/api/v1/reservations/{attended}/check-in").status_code == 200
    clock.set(today(12, 20))
    assert post(client, "admin", "/api/v1/admin/jobs/release-no-shows/run").status_code == 200
    reserve(client, "carol", today(12, 30), today(13))  # into the released window
    del missed
    pipeline.run()
    return pipeline


RANGE = "?from=2026-11-24&to=2026-11-24"


def test_the_dashboard_counts_booked_used_missed_and_cancelled_time(
    client: Client, world: Pipeline
) -> None:
    body = figures(client, "admin", f"/dashboard{RANGE}")
    assert body["scope"] == "all"
    assert body["reservations"] == 3  # alice's, bob's (no-show), carol's
    assert body["booked_hours"] == 2.5
    assert body["checked_in_hours"] == 1.0
    assert body["no_shows"] == 1 and body["no_show_rate"] == round(1 / 3, 4)
    assert body["released_rebooked_hours"] == 0.5
    assert body["cancellations"] == 1 and body["cancellation_rate"] == 0.25
    assert body["resources"] == 2 and body["open_hours"] == 48.0
    assert body["utilisation"] == round(150 / (48 * 60), 4)


def test_a_user_sees_only_their_own_figures(client: Client, world: Pipeline) -> None:
    alice = figures(client, "alice", f"/dashboard{RANGE}")
    assert alice["scope"] == "mine" and alice["reservations"] == 1
    assert alice["cancellations"] == 1 and alice["checked_in_hours"] == 1.0
    assert "utilisation" not in alice or alice["utilisation"] is None
    bob_rows = figures(client, "bob", f"/utilisation{RANGE}")["items"]
    assert [(r["resource_id"], r["booked_hours"]) for r in bob_rows] == [(ROOM, 1.0)]
    popular = figures(client, "carol", f"/popular{RANGE}")["items"]
    assert [r["reservations"] for r in popular] == [1]
    exported = get(client, "bob", f"{ANALYTICS}/export/reservations.csv{RANGE}")
    assert exported.status_code == 200
    lines = exported.body.decode().strip().splitlines()
    assert len(lines) == 2 and "no_show" in lines[1]
    assert get(client, "bob", f"{ANALYTICS}/user-patterns{RANGE}").status_code == 403
    refused = get(client, "bob", f"{ANALYTICS}/peaks{RANGE}&resource_id={ROOM}")
    assert refused.status_code == 422


def test_utilisation_per_resource_and_per_tag(client: Client, world: Pipeline) -> None:
    rows = figures(client, "admin", f"/utilisation{RANGE}")["items"]
    by_id = {r["resource_id"]: r for r in rows}
    assert by_id[ROOM]["booked_hours"] == 2.5 and by_id[ROOM]["open_hours"] == 24.0
    assert by_id[ROOM]["checked_in_hours"] == 1.0 and by_id[ROOM]["no_shows"] == 1
    assert by_id["room-2"]["booked_hours"] == 0.0
    patterns = figures(client, "admin", f"/user-patterns{RANGE}")["items"]
    assert sorted(p["reservations"] for p in patterns) == [1, 1, 1]


def test_peaks_follow_the_requested_zone(client: Client, world: Pipeline) -> None:
    utc = figures(client, "admin", f"/peaks{RANGE}")["matrix"]
    assert utc[1][10] == 1.0 and utc[1][12] == 1.5  # Tuesday: 12:00-13:00 + 12:30-13:00
    berlin = figures(client, "admin", f"/peaks{RANGE}&tz=Europe/Berlin")["matrix"]
    assert berlin[1][11] == 1.0 and berlin[1][13] == 1.5


def test_booked_vs_used_and_cancellations(client: Client, world: Pipeline) -> None:
    body = figures(client, "admin", f"/booked-vs-used{RANGE}")
    assert body["totals"]["checked_in_hours"] == 1.0
    assert [d["date"] for d in body["days"]] == ["2026-11-24"]
    cancels = figures(client, "alice", f"/cancellations{RANGE}")
    assert cancels["cancellations"] == 1 and cancels["avg_cancel_lead_hours"] == 5.0


@pytest.mark.parametrize(
    "query",
    [
        "?from=2026-11-30&to=2026-11-01",
        "?from=2024-01-01&to=2026-01-01",
        "?from=yesterday",
        "?tz=Mars/Olympus",
        "?group=floor",
        "?limit=0",
        "?unknown=1",
    ],
)
def test_bad_input_is_422_never_500(client: Client, user_token: str, query: str) -> None:
    path = "/popular" if "limit" in query else "/utilisation" if "group" in query else "/peaks"
    response = client.http.get(f"{ANALYTICS}{path}{query}", headers=auth_headers(user_token))
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"]


def test_exports_are_formula_safe(client: Client, world: Pipeline) -> None:
    create_resource("=cmd|' /C calc'!A0")
    utilisation = get(client, "admin", f"{ANALYTICS}/export/utilisation.csv{RANGE}")
    assert utilisation.status_code == 200
    text = utilisation.body.decode()
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
    everything = get(client, "admin", f"{ANALYTICS}/export/reservations.csv{RANGE}")
    assert len(everything.body.decode().strip().splitlines()) == 5  # header + 4


def test_a_redelivered_event_counts_once(client: Client, world: Pipeline) -> None:
    before = counter_items()
    reserve(client, "alice", today(17), today(18), room="room-2")
    world.pump_stream()
    messages = world.receive(ANALYTICS_QUEUE.name)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    outcome = world.invoke(ANALYTICS_QUEUE.name, messages)
    assert outcome.invoked == 1 and not outcome.failed_ids and not outcome.raised
    # The same event again, past the worker's own idempotency record (as after a crash
    # between the counters' commit and that record): the marker in the counters'
    # transaction alone stops it.
    event = DomainEvent.from_dict(body.get("detail", body))
    assert wiring.analytics_recorder().record(event) is False
    after = figures(client, "admin", f"/dashboard{RANGE}")
    assert after["reservations"] == 4 and after["booked_hours"] == 3.5
    assert counter_items() != before


def test_the_rebuild_equals_the_incremental_counters(client: Client, world: Pipeline) -> None:
    incremental = counter_items()
    assert incremental
    result = post(client, "admin", "/api/v1/admin/jobs/rebuild-analytics/run")
    assert result.status_code == 200, result.body
    assert result.json_body["result"]["reservations"] == 4
    assert counter_items() == incremental
