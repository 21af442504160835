"""docs/events.md documents every event with an example that matches the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

from chalicelib.domain.event_catalogue import CATALOGUE
from chalicelib.domain.event_mappings import REGISTRY
from tests.unit.event_factories import change, reservation_image

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


def test_series_created_and_cancelled() -> None:
    image = {
        "PK": "SERIES#s1",
        "SK": "META",
        "type": "series",
        "series_id": "s1",
        "resource_id": "room-1",
        "user_id": "u1",
        "status": "active",
        "rrule": "FREQ=DAILY",
        "audit_actor": "u1",
        "audit_write_id": "w1",
    }
    [created] = REGISTRY.events_for(change("INSERT", new=image))
    assert created.name == "series.created"
    cancelled = {**image, "status": "cancelled", "audit_write_id": "w2"}
    [event] = REGISTRY.events_for(change("MODIFY", old=image, new=cancelled))
    assert event.name == "series.cancelled"
