"""Idempotency-Key records for create endpoints (`IDEMP#<user id>#<key>` / `IDEMP`).

The record is written in the SAME transaction as the reservation it stands for, so a retry
(or a concurrent duplicate that lost the condition) finds either nothing (and books) or the
first outcome (and replays it). A refused create (409) is recorded too, so a retried request
gets the same answer. Records expire after 24 h; TTL is lazy, so readers check `expires_at`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError
from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.reservations.items import key, table_name
from chalicelib.store.table import TableItem, raw_client

RETENTION = timedelta(hours=24)
IDEMPOTENCY_SK = "IDEMP"
# created: a reservation (reservation_id); series: a series (its id); bulk: a bulk batch (its
# id); conflict: a recorded 409.
Outcome = Literal["created", "series", "bulk", "conflict"]


def idempotency_pk(user_id: str, idempotency_key: str) -> str:
    return f"IDEMP#{user_id}#{idempotency_key}"


class IdempotencyItem(TableItem, discriminator="idempotency"):  # type: ignore[call-arg]
    fingerprint = UnicodeAttribute()
    outcome = UnicodeAttribute()
    reservation_id = UnicodeAttribute(null=True)
    details = UnicodeAttribute(null=True)  # JSON: the error details of a recorded 409
    created_at = UnicodeAttribute()


@dataclass(frozen=True)
class IdempotencyClaim:
    """What a create request promises to record if it commits."""

    user_id: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class IdempotencyRecord:
    outcome: Outcome
    fingerprint: str
    reservation_id: str | None
    details: Any


def fingerprint(operation: str, payload: dict[str, Any]) -> str:
    """A digest of the normalised request: same meaning -> same fingerprint."""
    canonical = json.dumps({"op": operation, "body": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _item(
    claim: IdempotencyClaim,
    outcome: Outcome,
    now: datetime,
    *,
    reservation_id: str | None = None,
    details: Any = None,
) -> dict[str, Any]:
    item = IdempotencyItem(
        PK=idempotency_pk(claim.user_id, claim.key),
        SK=IDEMPOTENCY_SK,
        fingerprint=claim.fingerprint,
        outcome=outcome,
        reservation_id=reservation_id,
        details=None if details is None else json.dumps(details, default=str),
        created_at=iso_z(now),
        expires_at=epoch_seconds(now + RETENTION),
    )
    return item.serialize()  # type: ignore[no-any-return]


# A stale record (TTL not yet applied) may be overwritten; a live one may not.
_FREE = "attribute_not_exists(PK) OR expires_at <= :now"


def claim_put(
    claim: IdempotencyClaim,
    entity_id: str,
    now: datetime,
    table: str,
    outcome: Outcome = "created",
) -> dict[str, Any]:
    """The transaction item that records what a create made (a reservation or a series)."""
    return {
        "Put": {
            "TableName": table,
            "Item": _item(claim, outcome, now, reservation_id=entity_id),
            "ConditionExpression": _FREE,
            "ExpressionAttributeValues": {":now": {"N": str(epoch_seconds(now))}},
        }
    }


class IdempotencyStore:
    def lookup(self, claim: IdempotencyClaim, now: datetime) -> IdempotencyRecord | None:
        """The live record for this key, or None. The same key with another body is a 422."""
        client = raw_client()
        response = client.get_item(
            TableName=table_name(),
            Key=key(idempotency_pk(claim.user_id, claim.key), IDEMPOTENCY_SK),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        if not raw:
            return None
        item = IdempotencyItem.from_raw_data(raw)
        if item.expires_at is not None and item.expires_at <= epoch_seconds(now):
            return None
        if item.fingerprint != claim.fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was already used with a different request",
                code="idempotency_key_reused",
            )
        outcome: Outcome = "conflict"
        if item.outcome == "created":
            outcome = "created"
        elif item.outcome == "series":
            outcome = "series"
        elif item.outcome == "bulk":
            outcome = "bulk"
        details = json.loads(item.details) if item.details else None
        return IdempotencyRecord(outcome, item.fingerprint, item.reservation_id, details)

    def record_conflict(self, claim: IdempotencyClaim, details: Any, now: datetime) -> bool:
        """Remember a 409 for this key; False if another request recorded an outcome first."""
        client = raw_client()
        try:
            client.put_item(
                TableName=table_name(),
                Item=_item(claim, "conflict", now, details=details),
                ConditionExpression=_FREE,
                ExpressionAttributeValues={":now": {"N": str(epoch_seconds(now))}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
