"""docs/events.md documents every event with an example that matches the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

from chalicelib.domain.pipeline.catalogue import CATALOGUE
from chalicelib.domain.pipeline.mappings import REGISTRY
from chalicelib.domain.pipeline.notifications import covered_by_series
from tests.unit.event_factories import change, event, reservation_image

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
SECTION = re.compile(r"### `([a-z_.]+)`\n\n.*?```json\n(.*?)```", re.S)


def documented() -> dict[str, dict[str, object]]:
    return {name: json.loads(body) for name, body in SECTION.findall(DOC.read_text())}


def test_every_emitted_event_has_a_json_example_in_the_docs() -> None:
    docs = documented()
    for name, spec in CATALOGUE.items():
        if spec.reserved:
            assert name in DOC.read_text(), name
            continue
        assert name in docs, name
        assert docs[name]["data"] == spec.example, name
        assert set(docs[name]["metadata"]) == {  # type: ignore[arg-type]
            "event_name",
            "event_version",
            "event_id",
            "correlation_id",
            "occurred_at",
        }
        assert docs[name]["metadata"]["event_name"] == name  # type: ignore[index]


def test_real_reservation_payloads_have_the_documented_fields() -> None:
    [event] = REGISTRY.events_for(change("INSERT", new=reservation_image()))
    assert set(event.data) == set(CATALOGUE["reservation.created"].example)


def test_the_reminder_marker_becomes_reminder_due() -> None:
    image = {**reservation_image(), "type": "reservation_reminder", "reminder_hours": 24}
    [event] = REGISTRY.events_for(change("INSERT", new=image))
    assert event.name == "reservation.reminder_due"
    assert event.data["reminder_hours"] == 24 and event.data["actor_id"] == "system"
    assert REGISTRY.events_for(change("REMOVE", old=image)) == []


def series_image(status: str, write_id: str) -> dict[str, object]:
    return {
        "PK": "SERIES#s1",
        "SK": "META",
        "type": "series",
        "series_id": "s1",
        "resource_id": "room-1",
        "user_id": "u1",
        "status": status,
        "rule": "FREQ=DAILY;COUNT=2",
        "occurrence_ids": ["r1", "r2"],
        "audit_actor": "u1",
        "audit_write_id": write_id,
    }


def test_a_series_is_created_when_it_becomes_active_and_cancelled_as_a_whole() -> None:
    creating, active = series_image("creating", "w1"), series_image("active", "w2")
    assert REGISTRY.events_for(change("INSERT", new=creating)) == []
    [created] = REGISTRY.events_for(change("MODIFY", old=creating, new=active))
    assert created.name == "series.created" and created.data["occurrences"] == 2
    assert set(created.data) == set(CATALOGUE["series.created"].example)
    failed = series_image("failed", "w3")
    assert REGISTRY.events_for(change("MODIFY", old=creating, new=failed)) == []
    cancelled = series_image("cancelled", "w4")
    [event] = REGISTRY.events_for(change("MODIFY", old=active, new=cancelled))
    assert event.name == "series.cancelled"


def test_occurrences_are_announced_by_their_series() -> None:
    occurrence = {"series_id": "s1"}
    created = event("reservation.created", **occurrence)
    cancelled = event("reservation.cancelled", **occurrence)
    assert covered_by_series(created, "active")
    assert not covered_by_series(cancelled, "active")  # one occurrence cancelled: tell them
    assert covered_by_series(cancelled, "cancelled")
    assert covered_by_series(cancelled, "failed")
    assert not covered_by_series(event("reservation.created"), None)
