"""Anchors of multi-transaction writes (bulk batches and series): shared bookkeeping.

An anchor is put `creating` together with the request's Idempotency-Key record, then moved
on by version-guarded puts. While `creating` it carries the sparse GSI2 entry
`CREATING` / `<created>#<kind>#<id>` (it vanishes with the status), so the recovery job
finds stuck anchors with one query instead of a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item, TransactionCancelled, transact
from chalicelib.store.reservations.booking_tx import DuplicateRequest
from chalicelib.store.reservations.idempotency import IdempotencyClaim, Outcome, claim_put
from chalicelib.store.reservations.items import META, key, table_name

CREATING_PK = "CREATING"
AnchorKind = Literal["BULK", "SERIES"]


def creating_index(kind: AnchorKind, entity_id: str, created_at: datetime) -> dict[str, Any]:
    """The sparse GSI2 entry of an anchor that is still `creating` (raw attributes)."""
    return {
        "GSI2PK": {"S": CREATING_PK},
        "GSI2SK": {"S": f"{iso_z(created_at)}#{kind}#{entity_id}"},
    }


@dataclass(frozen=True)
class StuckAnchor:
    kind: AnchorKind
    entity_id: str


def put_new_anchor(
    item: dict[str, Any],
    claim: IdempotencyClaim | None,
    entity_id: str,
    created_at: datetime,
    outcome: Outcome,
) -> None:
    """Put the `creating` anchor (and the Idempotency-Key record, which then points here).
    A claim taken meanwhile by a concurrent request is a `DuplicateRequest` (replay it)."""
    table = table_name()
    items: list[dict[str, Any]] = [new_anchor_put(item)]
    if claim is not None:
        items.append(claim_put(claim, entity_id, created_at, table, outcome))
    try:
        transact(items)
    except TransactionCancelled as exc:
        if claim is not None and exc.reasons[1:2] == ["ConditionalCheckFailed"]:
            raise DuplicateRequest() from exc
        raise exc.error from exc


def new_anchor_put(item: Item) -> Item:
    """The transaction item that creates an anchor (when the whole write fits one transaction)."""
    return {
        "Put": {
            "TableName": table_name(),
            "Item": item,
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def still_creating(pk: str, version: int) -> Item:
    """A ConditionCheck fence: the anchor has not moved on since it was started. Every chunk
    of a multi-transaction write carries it, so no chunk can commit after the recovery job
    (or a compensation) settled the anchor."""
    return {
        "ConditionCheck": {
            "TableName": table_name(),
            "Key": key(pk, META),
            "ConditionExpression": "#v = :v AND #s = :creating",
            "ExpressionAttributeNames": {"#v": "version", "#s": "status"},
            "ExpressionAttributeValues": {
                ":v": {"N": str(version)},
                ":creating": {"S": "creating"},
            },
        }
    }


def put_if_version(item: dict[str, Any], version: int, changed: Conflict) -> None:
    """Replace the anchor if it is still at `version` (raise `changed` otherwise)."""
    try:
        dynamo.client().put_item(
            TableName=table_name(),
            Item=item,
            ConditionExpression="#v = :v",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":v": {"N": str(version)}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise changed from exc
        raise


def stuck_anchors(created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
    """Anchors (batches and series) still `creating` that were created before the cutoff.
    The index is eventually consistent: callers re-read each anchor before acting."""
    response = dynamo.client().query(
        TableName=table_name(),
        IndexName="GSI2",
        KeyConditionExpression="GSI2PK = :pk AND GSI2SK < :hi",
        ExpressionAttributeValues={
            ":pk": {"S": CREATING_PK},
            ":hi": {"S": iso_z(created_before)},
        },
        Limit=limit,
    )
    found = []
    for raw in response.get("Items", []):
        _, kind, entity_id = raw["GSI2SK"]["S"].split("#", 2)
        if kind in ("BULK", "SERIES"):
            found.append(StuckAnchor("BULK" if kind == "BULK" else "SERIES", entity_id))
    return found


class Anchor(Protocol):
    """What every anchor (a series, a bulk batch) has."""

    @property
    def version(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


A = TypeVar("A", bound=Anchor)
S = TypeVar("S")


class AnchorTable(Generic[A, S]):
    """The anchor items of one kind: read, created (with the Idempotency-Key record), moved on
    under their version, fenced. Subclasses say how the kind is keyed and mapped."""

    outcome: Outcome
    changed: tuple[str, str]  # (code, message) when someone else moved the anchor first

    def key_of(self, entity_id: str) -> str:
        raise NotImplementedError

    def id_of(self, anchor: A) -> str:
        raise NotImplementedError

    def to_raw(self, anchor: A, updated_at: datetime) -> Item:
        raise NotImplementedError

    def from_raw(self, raw: Item) -> A:
        raise NotImplementedError

    def get(self, entity_id: str) -> A | None:
        raw = dynamo.get(table_name(), key(self.key_of(entity_id), META))
        return self.from_raw(raw) if raw else None

    def anchor_put(self, anchor: A) -> Item:
        """The transaction item that creates the anchor (a write that fits one transaction)."""
        return new_anchor_put(self.to_raw(anchor, anchor.created_at))

    def start(self, anchor: A, claim: IdempotencyClaim | None) -> None:
        """Put the `creating` anchor (and the Idempotency-Key record, which then points here)."""
        item = self.to_raw(anchor, anchor.created_at)
        put_new_anchor(item, claim, self.id_of(anchor), anchor.created_at, self.outcome)

    def transition(self, anchor: A, status: S, at: datetime, /, **changes: Any) -> A:
        """Move the anchor on, if nobody else did since it was read (409 otherwise)."""
        updated: A = replace(  # type: ignore[type-var]
            anchor, status=status, version=anchor.version + 1, **changes
        )
        code, message = self.changed
        put_if_version(self.to_raw(updated, at), anchor.version, Conflict(message, code=code))
        return updated

    def still_creating(self, anchor: A) -> Item:
        """A ConditionCheck fence: the anchor has not moved on since it was started."""
        return still_creating(self.key_of(self.id_of(anchor)), anchor.version)
