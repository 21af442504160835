"""Turn DynamoDB stream records (Lambda's shape) into plain `ItemChange`s for the domain."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.domain.pipeline.events import ChangeKind, ItemChange

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer

_KINDS: dict[str, ChangeKind] = {"INSERT": "INSERT", "MODIFY": "MODIFY", "REMOVE": "REMOVE"}


@cache
def _deserializer() -> TypeDeserializer:
    # Imported here: the `boto3` package drags s3transfer in, and app.py imports this module
    # (via the stream worker's registration) on the API handler's cold start (issue 15).
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


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
    return {name: plain(_deserializer().deserialize(v)) for name, v in raw.items()}


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
    write_id = _fresh_stamp(kind, old, new)
    stamped_at = _time_of(write_id)
    return ItemChange(
        kind=kind,
        record_id=record_id,
        at=stamped_at or _created_at(ddb.get("ApproximateCreationDateTime"), fallback_now),
        old=old,
        new=new,
        by_ttl=identity.get("principalId") == "dynamodb.amazonaws.com",
        write_id=write_id if stamped_at and kind != "REMOVE" else None,
    )


def _time_of(write_id: str | None) -> datetime | None:
    if write_id is None:
        return None
    from ulid import ULID  # imported here: see UlidFactory.new_id (issue 15)

    try:
        return ULID.from_str(write_id).datetime.astimezone(UTC)
    except ValueError:
        return None


def _fresh_stamp(
    kind: ChangeKind, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> str | None:
    """The id of the stamp made for this change (a ULID dated by the app's clock, so it
    dates the change to the millisecond), or None.

    A removal is dated by the stamp made for it (`audit_delete_id` equals the old image's
    write id). A change the app did not stamp (a TTL deletion, a modification that kept the
    previous write id) has no fresh stamp: the stream's own time, AWS's wall clock, is used.
    """
    if kind == "REMOVE":
        before = old or {}
        deleted_by = before.get("audit_delete_id")
        write_id = deleted_by if deleted_by == before.get("audit_write_id") else None
    else:
        write_id = (new or {}).get("audit_write_id")
        if kind == "MODIFY" and write_id == (old or {}).get("audit_write_id"):
            return None
    return write_id if isinstance(write_id, str) else None


def _created_at(raw: Any, fallback: datetime) -> datetime:
    if isinstance(raw, datetime):
        return raw.astimezone(UTC)
    if isinstance(raw, (int, float, Decimal)):
        seconds = float(raw)
        if seconds > 1e11:  # some producers send milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    return fallback
