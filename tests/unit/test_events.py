"""Domain events: the envelope, stable ids, and which item changes mean which events."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.catalogue import (
    CATALOGUE,
    EMAIL_EVENT_NAMES,
    NOTIFY_EVENT_NAMES,
    WEBHOOK_EVENT_NAMES,
)
from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent, actor_of
from chalicelib.domain.pipeline.mappings import REGISTRY
from tests.unit.event_factories import ADMIN, AT, OWNER, change, reservation_image


def names(events: list[DomainEvent]) -> list[str]:
    return [e.name for e in events]


# ---------------------------------------------------------------- the envelope


def test_envelope_round_trips_through_json() -> None:
    # Given an event
    original = ev.make_event("reservation.created", {"a": 1}, source_id="s", occurred_at=AT)
    # When it is serialised and parsed back
    parsed = DomainEvent.from_dict(json.loads(json.dumps(original.to_dict())))
    # Then nothing is lost, and the metadata has exactly the five documented fields
    assert parsed == original
    assert set(original.to_dict()) == {"data", "metadata"}
    assert set(original.to_dict()["metadata"]) == {
        "event_name",
        "event_version",
        "event_id",
        "correlation_id",
        "occurred_at",
    }
    assert original.to_dict()["metadata"]["occurred_at"] == "2026-11-24T09:00:00.000Z"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"data": {}},
        {"data": [], "metadata": {}},
        {"data": {}, "metadata": {"event_name": "x"}},
        {
            "data": {},
            "metadata": {
                "event_name": "x",
                "event_version": "1",
                "event_id": "i",
                "correlation_id": "c",
                "occurred_at": "yesterday",
            },
        },
        {
            "data": {},
            "metadata": {
                "event_name": "x",
                "event_version": "1",
                "event_id": "i",
                "correlation_id": "c",
                "occurred_at": "2026-11-24T09:00:00",
            },
        },
    ],
)
def test_malformed_envelopes_are_refused(raw: object) -> None:
    with pytest.raises(MalformedEvent):
        DomainEvent.from_dict(raw)


ISO = "2026-11-24T09:00:00.000Z"


def test_an_envelope_without_a_correlation_id_is_correlated_by_its_own_id() -> None:
    # Given a well-formed envelope that names no correlation id (hand-made, or older)
    meta = {"event_name": "x", "event_version": "1", "event_id": "i", "occurred_at": ISO}
    # When it is read, Then it gets one (its event id), and writes it back out
    event = DomainEvent.from_dict({"data": {}, "metadata": meta})
    assert event.metadata.correlation_id == "i"
    assert event.to_dict()["metadata"]["correlation_id"] == "i"
    blank = DomainEvent.from_dict({"data": {}, "metadata": {**meta, "correlation_id": ""}})
    assert blank.metadata.correlation_id == "i"


def test_event_ids_derive_from_the_source_record() -> None:
    # Same record and name -> same id (a retried stream batch republishes the same ids)
    first = ev.derived_event_id("rec-1", "reservation.created")
    assert first == ev.derived_event_id("rec-1", "reservation.created")
    assert first != ev.derived_event_id("rec-2", "reservation.created")
    assert first != ev.derived_event_id("rec-1", "reservation.cancelled")


def test_derived_ulids_sort_by_time_and_are_stable() -> None:
    later = AT.replace(hour=10)
    assert ev.derived_ulid("a", AT) == ev.derived_ulid("a", AT)
    assert ev.derived_ulid("z", AT) < ev.derived_ulid("a", later)


# ---------------------------------------------------------------- the catalogue


def test_catalogue_covers_every_named_event() -> None:
    for name in (
        "reservation.created",
        "reservation.rescheduled",
        "reservation.cancelled",
        "reservation.expired",
        "reservation.no_show",
        "series.created",
        "series.cancelled",
        "resource.created",
        "resource.updated",
        "resource.deleted",
        "resource.maintenance_started",
        "resource.maintenance_ended",
        "user.created",
        "waitlist.offered",
        "approval.requested",
        "approval.approved",
    ):
        assert name in CATALOGUE, name
    assert ev.AUDIT_CHANGE not in WEBHOOK_EVENT_NAMES
    assert ev.RESERVATION_REMINDER_DUE not in WEBHOOK_EVENT_NAMES
    assert set(NOTIFY_EVENT_NAMES) <= set(CATALOGUE)
    assert set(EMAIL_EVENT_NAMES) <= set(CATALOGUE)
    assert all(CATALOGUE[n].example for n in CATALOGUE if not CATALOGUE[n].reserved)


# ---------------------------------------------------------------- reservations


def test_a_new_reservation_is_created_with_a_public_projection() -> None:
    events = REGISTRY.events_for(change("INSERT", new=reservation_image(notes="n")))
    assert names(events) == ["reservation.created"]
    data = events[0].data
    assert data["user_id"] == OWNER and data["actor_id"] == OWNER
    assert "PK" not in data and "audit_ip" not in data
    assert events[0].metadata.correlation_id == "req-1"
    assert events[0].metadata.occurred_at == AT


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("cancelled", ["reservation.cancelled"]),
        ("expired", ["reservation.expired"]),
        ("no_show", ["reservation.no_show"]),
        ("rejected", []),
    ],
)
def test_status_changes_name_their_event(status: str, expected: list[str]) -> None:
    old = reservation_image()
    new = reservation_image(status=status, audit_actor=ADMIN, audit_write_id="w2")
    events = REGISTRY.events_for(change("MODIFY", old=old, new=new))
    assert names(events) == expected
    if events:
        assert events[0].data["user_id"] == OWNER  # the owner, not the admin who did it
        assert events[0].data["actor_id"] == ADMIN


def test_a_moved_reservation_is_rescheduled_with_its_previous_window() -> None:
    old = reservation_image()
    new = reservation_image(
        start_time="2026-11-25T12:00:00.000Z",
        end_time="2026-11-25T13:00:00.000Z",
        audit_write_id="w2",
    )
    [event] = REGISTRY.events_for(change("MODIFY", old=old, new=new))
    assert event.name == "reservation.rescheduled"
    assert event.data["previous_start_time"] == "2026-11-25T10:00:00.000Z"
    assert event.data["start_time"] == "2026-11-25T12:00:00.000Z"


def test_edits_that_change_nothing_visible_emit_nothing() -> None:
    old = reservation_image()
    new = reservation_image(version=2, audit_write_id="w2")
    assert REGISTRY.events_for(change("MODIFY", old=old, new=new)) == []
    assert REGISTRY.events_for(change("REMOVE", old=old)) == []


def test_unknown_item_types_emit_nothing() -> None:
    image = {"PK": "X#1", "SK": "X", "type": "something_else"}
    assert REGISTRY.events_for(change("INSERT", new=image)) == []


# ---------------------------------------------------------------- resources and users


def resource_image(**overrides: object) -> dict[str, object]:
    image: dict[str, object] = {
        "PK": "RESOURCE#room-1",
        "SK": "META",
        "type": "resource",
        "resource_id": "room-1",
        "name": "Room 1",
        "enabled": True,
        "capacity": 4,
        "version": 1,
        "audit_actor": ADMIN,
        "audit_write_id": "w1",
    }
    image.update(overrides)
    return image


def test_resource_lifecycle_events() -> None:
    created = REGISTRY.events_for(change("INSERT", new=resource_image()))
    assert names(created) == ["resource.created"]
    deleted = REGISTRY.events_for(change("REMOVE", old=resource_image()))
    assert names(deleted) == ["resource.deleted"]


def test_resource_updates_list_changed_fields_and_ignore_bookkeeping() -> None:
    old = resource_image()
    new = resource_image(capacity=8, version=2, updated_at="x", audit_write_id="w2")
    [event] = REGISTRY.events_for(change("MODIFY", old=old, new=new))
    assert event.name == "resource.updated"
    assert event.data["changed_fields"] == ["capacity"]


def test_maintenance_start_and_end() -> None:
    base = resource_image()
    started = resource_image(
        maint_started_at="2026-11-24T09:00:00.000Z",
        maint_reason="fix",
        maint_reset_at="2026-11-24T17:00:00.000Z",
        audit_write_id="w2",
    )
    events = REGISTRY.events_for(change("MODIFY", old=base, new=started))
    assert names(events) == ["resource.maintenance_started"]
    assert events[0].data["maintenance_reason"] == "fix"
    ended = REGISTRY.events_for(
        change("MODIFY", old=started, new=resource_image(audit_write_id="w3"))
    )
    assert names(ended) == ["resource.maintenance_ended"]


def test_user_created_carries_no_secrets() -> None:
    image = {
        "PK": "USER#u1",
        "SK": "PROFILE",
        "type": "user",
        "user_id": "u1",
        "username": "ada",
        "password_hash": "$argon2...",
        "roles": ["user"],
        "email": "a@x",
    }
    [event] = REGISTRY.events_for(change("INSERT", new=image))
    assert event.name == "user.created"
    assert event.data == {
        "user_id": "u1",
        "username": "ada",
        "roles": ["user"],
        "actor_id": "unknown",
    }


# ---------------------------------------------------------------- who did it


def test_actor_comes_from_a_fresh_stamp_only() -> None:
    old = reservation_image()
    assert actor_of(change("INSERT", new=old)) == OWNER
    restamped = reservation_image(audit_actor=ADMIN, audit_write_id="w2")
    assert actor_of(change("MODIFY", old=old, new=restamped)) == ADMIN
    # An unstamped write keeps the previous writer's stamp: that writer must not be blamed
    unstamped = reservation_image(status="cancelled")
    assert actor_of(change("MODIFY", old=old, new=unstamped)) == "unknown"
    assert actor_of(change("REMOVE", old=old, by_ttl=True)) == "system"
