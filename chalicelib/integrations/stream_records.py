"""Turn DynamoDB stream records (Lambda's shape) into plain `ItemChange`s for the domain."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from ulid import ULID

from chalicelib.domain.events import ChangeKind, ItemChange

_DESERIALIZER = TypeDeserializer()
_KINDS: dict[str, ChangeKind] = {"INSERT": "INSERT", "MODIFY": "MODIFY", "REMOVE": "REMOVE"}


class UnreadableRecord(ValueError):
    """A stream record without the parts every change has."""


def plain(value: Any) -> Any:
    """DynamoDB types -> JSON-friendly Python: Decimal -> int/float, sets -> sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "value") and type(value).__name__ == "Binary":
        return base64.b64encode(bytes(value.value)).decode()
    return value


def image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {name: plain(_DESERIALIZER.deserialize(v)) for name, v in raw.items()}


def change_from_record(record: dict[str, Any], *, fallback_now: datetime) -> ItemChange:
    kind = _KINDS.get(str(record.get("eventName")))
    ddb = record.get("dynamodb")
    if kind is None or not isinstance(ddb, dict):
        raise UnreadableRecord("a stream record needs eventName and dynamodb")
    record_id = str(record.get("eventID") or ddb.get("SequenceNumber") or "")
    if not record_id:
        raise UnreadableRecord("a stream record needs an eventID (event ids derive from it)")
    identity = record.get("userIdentity") or {}
    old, new = image(ddb.get("OldImage")), image(ddb.get("NewImage"))
    return ItemChange(
        kind=kind,
        record_id=record_id,
        at=_write_time(kind, old, new)
        or _created_at(ddb.get("ApproximateCreationDateTime"), fallback_now),
        old=old,
        new=new,
        by_ttl=identity.get("principalId") == "dynamodb.amazonaws.com",
    )


def _write_time(
    kind: ChangeKind, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> datetime | None:
    """When a stamped write happened (its `audit_write_id` is a ULID), to the millisecond.

    A removal, or a modification that did not stamp (the write id is the previous one),
    has no fresh stamp: the stream's own (coarser) time is used instead.
    """
    write_id = (new or {}).get("audit_write_id")
    if kind == "REMOVE" or not isinstance(write_id, str):
        return None
    if kind == "MODIFY" and write_id == (old or {}).get("audit_write_id"):
        return None
    try:
        return ULID.from_str(write_id).datetime.astimezone(UTC)
    except ValueError:
        return None


def _created_at(raw: Any, fallback: datetime) -> datetime:
    if isinstance(raw, datetime):
        return raw.astimezone(UTC)
    if isinstance(raw, (int, float, Decimal)):
        seconds = float(raw)
        if seconds > 1e11:  # some producers send milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    return fallback
