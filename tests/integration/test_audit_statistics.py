"""Audit statistics and filter values (issue 14): the counters kept at write time agree with
the entries in the log, a redelivered change counts nothing, admins only, bounded ranges."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.audit import AuditEntry
from chalicelib.store.pipeline.audit import AuditStore
from tests.factories import auth_headers
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, cancel, create_resource

BASE = "/api/v1/audit"


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def get(client: Client, token: str, path: str) -> Any:
    response = client.http.get(path, headers=auth_headers(token))
    assert response.status_code == 200, response.body
    return response.json_body


def all_entries(client: Client, token: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        more = f"&cursor={cursor}" if cursor else ""
        page = get(client, token, f"{BASE}/logs?limit=100{more}")
        entries += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return entries


def activity(client: Client, pipeline: Pipeline, admin_token: str) -> Person:
    """Given ada books three times and the admin cancels one of them."""
    ada = person(client, "ada")
    ids = [booked(client, ada.token, at(h), at(h + 1)) for h in (10, 12, 14)]
    assert cancel(client, admin_token, ids[0], "room needed").status_code == 200
    pipeline.run()
    return ada


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {r["value"]: r["count"] for r in rows}


def test_statistics_agree_with_the_entries_in_the_log(
    client: Client, pipeline: Pipeline, admin_token: str, clock: FrozenClock
) -> None:
    ada = activity(client, pipeline, admin_token)
    day = clock.now().date().isoformat()
    # Unstamped writes carry the stream's wall-clock time (DESIGN trap 14): compare the
    # frozen day's entries only.
    entries = [e for e in all_entries(client, admin_token) if e["at"][:10] == day]
    assert len(entries) >= 4
    stats = get(client, admin_token, f"{BASE}/statistics?from={day}&to={day}")
    assert (stats["from"], stats["to"], stats["complete"]) == (day, day, True)
    assert stats["total"] == len(entries)
    assert counts(stats["by_action"]) == Counter(e["action"] for e in entries)
    assert counts(stats["by_actor"]) == Counter(e["actor_id"] for e in entries)
    assert counts(stats["by_entity_type"]) == Counter(e["entity_type"] for e in entries)
    assert counts(stats["by_day"]) == {day: len(entries)}
    assert counts(stats["by_action"])["cancelled"] == 1
    assert counts(stats["by_actor"])[ada.user_id] >= 3
    # the default range is the 30 days up to (the frozen) today: the same counts
    assert get(client, admin_token, f"{BASE}/statistics")["total"] == len(entries)
    # a range without entries counts nothing
    later = (clock.now() + timedelta(days=3)).date().isoformat()
    empty = get(client, admin_token, f"{BASE}/statistics?from={later}&to={later}")
    assert (empty["total"], empty["by_action"], empty["by_day"]) == (0, [], [])


def test_a_redelivered_change_counts_nothing(
    client: Client, pipeline: Pipeline, admin_token: str, clock: FrozenClock
) -> None:
    activity(client, pipeline, admin_token)
    before = get(client, admin_token, f"{BASE}/statistics")
    values_before = get(client, admin_token, f"{BASE}/filters")
    first = AuditEntry.from_dict(all_entries(client, admin_token)[-1])
    # When the same entry arrives again (an SQS redelivery)
    written = AuditStore().add(first, expires_at=clock.now() + timedelta(days=400))
    # Then nothing is written or counted
    assert written is False
    assert get(client, admin_token, f"{BASE}/statistics") == before
    assert get(client, admin_token, f"{BASE}/filters") == values_before


def test_filters_list_the_values_seen(client: Client, pipeline: Pipeline, admin_token: str) -> None:
    ada = activity(client, pipeline, admin_token)
    entries = all_entries(client, admin_token)
    values = get(client, admin_token, f"{BASE}/filters")
    assert values["complete"] is True
    assert [v["value"] for v in values["actions"]] == sorted({e["action"] for e in entries})
    assert {v["value"] for v in values["entity_types"]} == {e["entity_type"] for e in entries}
    actors = {v["value"]: v for v in values["actors"]}
    assert set(actors) == {e["actor_id"] for e in entries}
    assert actors[ada.user_id]["count"] == sum(1 for e in entries if e["actor_id"] == ada.user_id)
    assert actors[ada.user_id]["last_at"]


def test_admins_only(client: Client, pipeline: Pipeline, user_token: str) -> None:
    for path in (f"{BASE}/statistics", f"{BASE}/filters"):
        assert client.http.get(path, headers=auth_headers(user_token)).status_code == 403
        assert client.http.get(path).status_code == 401


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?from=2026-11-25&to=2026-11-24", "invalid_range"),
        ("?from=2026-01-01&to=2026-06-01", "range_too_wide"),
        ("?from=yesterday", "validation_error"),
        ("?to=2026-11-24T10:30:00Z", "validation_error"),
        ("?from=2026-11-01&extra=1", "validation_error"),
    ],
)
def test_bad_ranges_are_422(
    client: Client, pipeline: Pipeline, admin_token: str, query: str, code: str
) -> None:
    response = client.http.get(f"{BASE}/statistics{query}", headers=auth_headers(admin_token))
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"] == code


def test_a_range_of_exactly_92_days_is_allowed(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    stats = get(client, admin_token, f"{BASE}/statistics?from=2026-09-01&to=2026-12-01")
    assert (stats["from"], stats["to"]) == ("2026-09-01", "2026-12-01")


def test_a_batch_is_written_and_counted_once_like_single_entries(
    client: Client, pipeline: Pipeline, admin_token: str, clock: FrozenClock
) -> None:
    # Given entries written one by one, and the same kind of entries for a second actor
    activity(client, pipeline, admin_token)
    day = clock.now().date().isoformat()
    entries = [e for e in all_entries(client, admin_token) if e["at"][:10] == day]
    before = get(client, admin_token, f"{BASE}/statistics?from={day}&to={day}")
    later = clock.now() + timedelta(minutes=5)
    batch = [
        AuditEntry.from_dict(
            {**e, "entry_id": f"{e['entry_id'][:-4]}ZZZ{n}", "actor_id": "bulk-actor"}
        )
        for n, e in enumerate(entries[:3])
    ]
    expiry = later + timedelta(days=400)
    store = AuditStore()
    # When the bulk lane writes them as a batch, and the batch comes back with one new entry
    assert store.add_many([(e, expiry) for e in batch[:2]]) == 2
    assert store.add_many([(e, expiry) for e in batch]) == 1
    # Then each was written and counted once, merged counters included
    stats = get(client, admin_token, f"{BASE}/statistics?from={day}&to={day}")
    assert stats["total"] == before["total"] + 3
    assert counts(stats["by_actor"])["bulk-actor"] == 3
    expected = Counter(counts(before["by_action"])) + Counter(e.action for e in batch)
    assert counts(stats["by_action"]) == dict(expected)
    actors = {v["value"]: v["count"] for v in get(client, admin_token, f"{BASE}/filters")["actors"]}
    assert actors["bulk-actor"] == 3
