"""The admin's per-resource totals are kept between requests only while no event touched the
range's months (services/analytics/totals_cache.py): every change shows at once, even a move
between resources that leaves the overall figures as they were, and a rebuild. The rows shaped
from those totals (services/analytics/shaped_rows.py) follow them: keyed on anything less than
the totals' identity, the move below would be served stale."""

from __future__ import annotations

from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.store import dynamo
from chalicelib.store.analytics.counters import cell_pk
from chalicelib.store.reservations.items import table_name
from tests.factories import register
from tests.integration.analytics_kit import figures, post, reserve, today
from tests.integration.pipeline_driver import Pipeline
from tests.integration.reservations_kit import create_resource, send

RANGE = "?from=2026-11-24&to=2026-11-24"


def booked_hours(client: Client) -> dict[str, float]:
    rows = figures(client, "admin", f"/utilisation{RANGE}")["items"]
    return {str(r["resource_id"]): float(r["booked_hours"]) for r in rows}


def month_revision() -> int:
    key = {"PK": {"S": cell_pk("M", "2026-11")}, "SK": {"S": "ALL"}}
    raw = dynamo.client().get_item(TableName=table_name(), Key=key).get("Item", {})
    return int(raw.get("rev", {}).get("N", "0"))


def test_every_change_shows_at_once(client: Client, clock: FrozenClock, admin_token: str) -> None:
    create_resource("room-1")
    create_resource("room-2")
    register(client, "alice")
    pipeline = Pipeline(app)
    rid = reserve(client, "alice", today(10), today(11))
    pipeline.run()
    first = booked_hours(client)
    assert booked_hours(client) == first  # served again while nothing changed
    rev = month_revision()

    moved = send(
        client,
        "PATCH",
        f"/api/v1/reservations/{rid}",
        admin_token,
        {
            "start_time": "2026-11-24T10:00:00Z",
            "end_time": "2026-11-24T11:00:00Z",
            "resource_id": "room-2",
        },
    )
    assert moved.status_code == 200, moved.body
    pipeline.run()
    moved_rev = month_revision()
    after_move = booked_hours(client)
    assert post(client, "admin", "/api/v1/admin/jobs/rebuild-analytics/run").status_code == 200
    rebuilt_rev = month_revision()
    after_rebuild = booked_hours(client)

    assert first == {"room-1": 1.0, "room-2": 0.0}
    assert moved_rev > rev > 0  # the move left ALL's figures as they were, not its revision
    assert after_move == {"room-1": 0.0, "room-2": 1.0}
    assert rebuilt_rev not in (0, moved_rev) and after_rebuild == after_move
