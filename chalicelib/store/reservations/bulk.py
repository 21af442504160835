"""Bulk batches and their multi-resource booking transactions.

Items (single table, docs/data-model.md "Reservations"):

- bulk batch: `BULK#<id>` / `META`; GSI1 `USER#<uid>` / `BULK#<created>#<id>`;
- the "creating" index: while a bulk batch or a series is `creating` it also carries GSI2
  `CREATING` / `<created>#<kind>#<id>` (sparse: the entry vanishes with the status), so the
  recovery job finds stuck anchors with one query instead of a scan.

A chunk of a bulk request may span several resources; it is written by the one booking
writer (store/reservations/writer.py) with a fence (`still_creating`) so that no chunk can land
after the recovery job rolled the batch back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.errors import Conflict
from chalicelib.domain.reservations.bulk import BatchStatus, BulkBatch
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import dynamo
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import (
    StuckAnchor,
    creating_index,
    new_anchor_put,
    put_if_version,
    put_new_anchor,
    still_creating,
    stuck_anchors,
)
from chalicelib.store.reservations.idempotency import IdempotencyClaim
from chalicelib.store.reservations.items import META, key, parse_instant, table_name, user_pk
from chalicelib.store.table import TableItem


def bulk_pk(batch_id: str) -> str:
    return f"BULK#{batch_id}"


class BulkBatchItem(TableItem, discriminator="bulk_batch"):  # type: ignore[call-arg]
    batch_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    reservation_ids = ListAttribute(of=UnicodeAttribute, null=True)
    failure = UnicodeAttribute(null=True)  # JSON
    version = NumberAttribute()


def _item(batch: BulkBatch, updated_at: datetime) -> dict[str, Any]:
    item = BulkBatchItem(
        PK=bulk_pk(batch.batch_id),
        SK=META,
        GSI1PK=user_pk(batch.user_id),
        GSI1SK=f"BULK#{iso_z(batch.created_at)}#{batch.batch_id}",
        batch_id=batch.batch_id,
        user_id=batch.user_id,
        status=batch.status.value,
        created_at=iso_z(batch.created_at),
        updated_at=iso_z(updated_at),
        reservation_ids=list(batch.reservation_ids) or None,
        failure=json.dumps(batch.failure) if batch.failure else None,
        version=batch.version,
    )
    raw: dict[str, Any] = {**item.serialize(), **stamp_raw()}
    if batch.status == BatchStatus.CREATING:
        raw.update(creating_index("BULK", batch.batch_id, batch.created_at))
    return raw


def _from_raw(raw: dict[str, Any]) -> BulkBatch:
    item = BulkBatchItem.from_raw_data(raw)
    return BulkBatch(
        batch_id=item.batch_id,
        user_id=item.user_id,
        status=BatchStatus(item.status),
        created_at=parse_instant(item.created_at),
        reservation_ids=tuple(str(i) for i in item.reservation_ids or ()),
        failure=json.loads(item.failure) if item.failure else {},
        version=int(item.version),
    )


class BulkStore:
    def get(self, batch_id: str) -> BulkBatch | None:
        raw = dynamo.get(table_name(), key(bulk_pk(batch_id), META))
        return _from_raw(raw) if raw else None

    def anchor_put(self, batch: BulkBatch) -> Item:
        """The transaction item that creates the batch (a write that fits one transaction)."""
        return new_anchor_put(_item(batch, batch.created_at))

    def start(self, batch: BulkBatch, claim: IdempotencyClaim | None) -> None:
        """Put the `creating` batch (and the Idempotency-Key record, which then points here)."""
        item = _item(batch, batch.created_at)
        put_new_anchor(item, claim, batch.batch_id, batch.created_at, "bulk")

    def transition(
        self, batch: BulkBatch, status: BatchStatus, at: datetime, **changes: Any
    ) -> BulkBatch:
        """Move the batch on, if nobody else did since it was read (409 otherwise)."""
        updated = replace(batch, status=status, version=batch.version + 1, **changes)
        changed = Conflict("the batch changed meanwhile", code="batch_changed")
        put_if_version(_item(updated, at), batch.version, changed)
        return updated

    def still_creating(self, batch: BulkBatch) -> Item:
        """A ConditionCheck: the batch has not moved on since it was started."""
        return still_creating(bulk_pk(batch.batch_id), batch.version)

    @staticmethod
    def stuck(created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        """Anchors (batches and series) still `creating` created before the cutoff."""
        return stuck_anchors(created_before, limit=limit)
