"""Factories for event-pipeline unit tests: item images, changes and events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.pipeline.events import ChangeKind, DomainEvent, ItemChange, make_event

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OWNER = "user-owner"
ADMIN = "user-admin"


def reservation_image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = {
        "PK": "RESERVATION#r1",
        "SK": "META",
        "type": "reservation",
        "reservation_id": "r1",
        "resource_id": "room-1",
        "user_id": OWNER,
        "start_time": "2026-11-25T10:00:00.000Z",
        "end_time": "2026-11-25T11:00:00.000Z",
        "status": "active",
        "version": 1,
        "audit_actor": OWNER,
        "audit_channel": "web",
        "audit_ip": "203.0.113.9",
        "audit_correlation_id": "req-1",
        "audit_write_id": "w1",
    }
    image.update(overrides)
    return image


def change(
    kind: ChangeKind,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    record_id: str = "rec-1",
    by_ttl: bool = False,
) -> ItemChange:
    return ItemChange(kind=kind, record_id=record_id, at=AT, old=old, new=new, by_ttl=by_ttl)


def event(name: str, **data: Any) -> DomainEvent:
    payload = {"user_id": OWNER, "resource_id": "room-1", **data}
    return make_event(name, payload, source_id=f"src-{name}", occurred_at=AT)
