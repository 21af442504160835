"""Domain events: the one envelope, the catalogue, and the pure mapping item change -> events.

A request only writes to DynamoDB; the table's stream is the outbox. Each committed item
change becomes zero or more events, all in the same envelope (STYLE rule 11):

    {"data": {...}, "metadata": {"event_name", "event_version", "event_id",
                                 "correlation_id", "occurred_at", ["sequence"]}}

Event ids are derived from the stream record id, so a retried stream batch republishes the
same ids and the idempotent workers ignore the repeats. `sequence` (optional) is the write
stamp of the change: ids derived from the event keep the order of writes made in the same
millisecond (see `derived_ulid`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.timeutil import iso_z, parse_instant

EVENT_VERSION = "1"
_ID_NAMESPACE = uuid.UUID("6f1c1a52-3a57-4a0e-9a7e-2f1f6d0b7c11")

# --- the catalogue ---------------------------------------------------------------------------
RESERVATION_CREATED = "reservation.created"
RESERVATION_RESCHEDULED = "reservation.rescheduled"
RESERVATION_CANCELLED = "reservation.cancelled"
RESERVATION_EXPIRED = "reservation.expired"
RESERVATION_NO_SHOW = "reservation.no_show"
RESERVATION_REMINDER_DUE = "reservation.reminder_due"
SERIES_CREATED = "series.created"
SERIES_CANCELLED = "series.cancelled"
RESOURCE_CREATED = "resource.created"
RESOURCE_UPDATED = "resource.updated"
RESOURCE_DELETED = "resource.deleted"
RESOURCE_MAINTENANCE_STARTED = "resource.maintenance_started"
RESOURCE_MAINTENANCE_ENDED = "resource.maintenance_ended"
USER_CREATED = "user.created"
# A new verification link is due: the email worker signs it and mails it (never a webhook).
USER_EMAIL_VERIFICATION_REQUESTED = "user.email_verification_requested"
# Reserved for the waitlist and approval issue: named now so subscribers can plan for them.
WAITLIST_JOINED = "waitlist.joined"
WAITLIST_OFFERED = "waitlist.offered"
WAITLIST_OFFER_EXPIRED = "waitlist.offer_expired"
WAITLIST_ACCEPTED = "waitlist.accepted"
WAITLIST_LEFT = "waitlist.left"
# Waitlist (emitted from the entry item's changes, domain/pipeline/mappings.py).
WAITLIST_DECLINED = "waitlist.declined"
WAITLIST_SKIPPED = "waitlist.skipped"
APPROVAL_REQUESTED = "approval.requested"
APPROVAL_APPROVED = "approval.approved"
APPROVAL_REJECTED = "approval.rejected"
# Approvals (issue 10): a request that ran out undecided; approvers reminded of a waiting step.
APPROVAL_EXPIRED = "approval.expired"
APPROVAL_REMINDER_DUE = "approval.reminder_due"
# Internal: every audited mutation, consumed by the audit worker only.
AUDIT_CHANGE = "audit.change"
# Internal, for the live fan-out only (docs/events.md "Live messages"): not in the public
# catalogue, so no rule but the live one routes them (no webhook, mail or notification).
BLACKOUT_CHANGED = "blackout.changed"
USER_ACCESS_CHANGED = "user.access_changed"  # disabled, token version or roles changed
SESSION_REVOKED = "session.revoked"  # an access token was denied (logout)
INTERNAL_LIVE_EVENTS: tuple[str, ...] = (BLACKOUT_CHANGED, USER_ACCESS_CHANGED, SESSION_REVOKED)
# Approvers' queues (issue 10): a withdrawn request leaves its step's queue (the requester
# hears of it as `reservation.cancelled`; only the approvers' live queue needs this one).
APPROVAL_WITHDRAWN = "approval.withdrawn"
INTERNAL_LIVE_EVENTS = (*INTERNAL_LIVE_EVENTS, APPROVAL_WITHDRAWN)
# Not on the bus: the payload of a webhook test ping.
WEBHOOK_PING = "webhook.ping"
# The catalogue (descriptions, audiences, examples) is in domain/pipeline/catalogue.py.


# --- the envelope ----------------------------------------------------------------------------


class MalformedEvent(ValueError):
    """A message that is not a well-formed envelope (a poison message: never retried)."""


@dataclass(frozen=True)
class EventMetadata:
    event_name: str
    event_id: str
    correlation_id: str
    occurred_at: datetime
    event_version: str = EVENT_VERSION
    sequence: str = ""  # the change's write stamp (a ULID), when it had one


@dataclass(frozen=True)
class DomainEvent:
    data: dict[str, Any]
    metadata: EventMetadata

    @property
    def name(self) -> str:
        return self.metadata.event_name

    @property
    def event_id(self) -> str:
        return self.metadata.event_id

    def to_dict(self) -> dict[str, Any]:
        m = self.metadata
        metadata = {
            "event_name": m.event_name,
            "event_version": m.event_version,
            "event_id": m.event_id,
            "correlation_id": m.correlation_id,
            "occurred_at": iso_z(m.occurred_at),
        }
        if m.sequence:
            metadata["sequence"] = m.sequence
        return {"data": self.data, "metadata": metadata}

    @classmethod
    def from_dict(cls, raw: Any) -> DomainEvent:
        if not isinstance(raw, Mapping):
            raise MalformedEvent("an event must be a JSON object")
        data, meta = raw.get("data"), raw.get("metadata")
        if not isinstance(data, dict) or not isinstance(meta, Mapping):
            raise MalformedEvent("an event needs 'data' and 'metadata' objects")
        try:
            event_id = _text(meta, "event_id")
            metadata = EventMetadata(
                event_name=_text(meta, "event_name"),
                event_version=_text(meta, "event_version"),
                event_id=event_id,
                # An envelope without one (a hand-made or older message) is correlated by its
                # own id, as make_event does for changes no request stamped (docs/events.md).
                correlation_id=str(meta.get("correlation_id") or "") or event_id,
                occurred_at=parse_instant(_text(meta, "occurred_at")),
                sequence=str(meta.get("sequence") or ""),
            )
        except ValueError as exc:  # InvalidInput from parse_instant is not a ValueError
            raise MalformedEvent(str(exc)) from exc
        except Exception as exc:
            raise MalformedEvent(f"bad event metadata: {exc}") from exc
        return cls(data=data, metadata=metadata)


def _text(meta: Mapping[str, Any], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"metadata.{key} must be a non-empty string")
    return value


def derived_event_id(source_id: str, event_name: str) -> str:
    """A stable id: the same source record and name always give the same event id."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{source_id}/{event_name}"))


_TAIL_BITS = 80
_SEED_BITS = 24


def derived_ulid(seed: str, at: datetime, sequence: str = "") -> str:
    """A ULID whose time part is `at` and whose random part comes from `seed`: records made
    from one source (an event, a stream record) get one stable, time-ordered id.

    With a `sequence` (a write stamp of the same millisecond), the random part starts with
    the stamp's own, so records derived from writes made in one millisecond (always the case
    under a frozen test clock) sort in the order of those writes.
    """
    from ulid import ULID  # imported here: see UlidFactory.new_id (issue 15)

    millis = max(0, int(at.timestamp() * 1000))
    digest = hashlib.sha256(seed.encode()).digest()
    tail = int.from_bytes(digest[:10], "big")
    ordered = _sequence_tail(sequence, millis)
    if ordered is not None:
        seed_part = tail >> (_TAIL_BITS - _SEED_BITS)
        tail = ((ordered << _SEED_BITS) | seed_part) & ((1 << _TAIL_BITS) - 1)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + tail.to_bytes(10, "big")))


def _sequence_tail(sequence: str, millis: int) -> int | None:
    from ulid import ULID  # imported here: see UlidFactory.new_id (issue 15)

    try:
        stamp = ULID.from_str(sequence) if sequence else None
    except ValueError:
        return None
    if stamp is None or stamp.milliseconds != millis:
        return None
    return int.from_bytes(stamp.bytes[6:], "big")


def make_event(
    name: str,
    data: dict[str, Any],
    *,
    source_id: str,
    occurred_at: datetime,
    correlation_id: str | None = None,
    sequence: str | None = None,
) -> DomainEvent:
    event_id = derived_event_id(source_id, name)
    return DomainEvent(
        data=data,
        metadata=EventMetadata(
            event_name=name,
            event_id=event_id,
            correlation_id=correlation_id or event_id,
            occurred_at=occurred_at,
            sequence=sequence or "",
        ),
    )


# --- item changes -> events -------------------------------------------------------------------

ChangeKind = Literal["INSERT", "MODIFY", "REMOVE"]


@dataclass(frozen=True)
class ItemChange:
    """One committed item change from the stream, images already plain JSON-like values."""

    kind: ChangeKind
    record_id: str
    at: datetime
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    by_ttl: bool = False  # removed by DynamoDB TTL, not by a request
    write_id: str | None = None  # the fresh stamp of an INSERT/MODIFY (store.audit_stamp)

    @property
    def image(self) -> dict[str, Any]:
        """The latest image: new for INSERT/MODIFY, old for REMOVE."""
        return self.new or self.old or {}

    @property
    def item_type(self) -> str:
        return str(self.image.get("type") or "")

    def before(self, name: str) -> Any:
        return (self.old or {}).get(name)

    def after(self, name: str) -> Any:
        return (self.new or {}).get(name)

    def changed(self, name: str) -> bool:
        return bool(self.before(name) != self.after(name))


Draft = tuple[str, dict[str, Any]]
Mapper = Callable[[ItemChange], list[Draft]]


@dataclass
class MapperRegistry:
    """item `type` discriminator -> the function that names its events."""

    mappers: dict[str, Mapper] = field(default_factory=dict)

    def register(self, item_type: str) -> Callable[[Mapper], Mapper]:
        def decorate(mapper: Mapper) -> Mapper:
            self.mappers[item_type] = mapper
            return mapper

        return decorate

    def events_for(self, change: ItemChange) -> list[DomainEvent]:
        mapper = self.mappers.get(change.item_type)
        if mapper is None:
            return []
        correlation = str(change.image.get("audit_correlation_id") or "") or None
        return [
            make_event(
                name,
                data,
                source_id=change.record_id,
                occurred_at=change.at,
                correlation_id=correlation,
                sequence=change.write_id,
            )
            for name, data in mapper(change)
        ]


def actor_of(change: ItemChange) -> str:
    """Who made the change, from the audit stamp; TTL removals are the system's doing."""
    if change.by_ttl:
        return "system"
    if change.kind == "MODIFY" and _stamp(change.old) == _stamp(change.new):
        return "unknown"  # the write carried no fresh stamp
    return str(change.image.get("audit_actor") or "unknown")


def _stamp(image: dict[str, Any] | None) -> Any:
    return (image or {}).get("audit_write_id")
