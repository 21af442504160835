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
from datetime import datetime
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.reservations.bulk import BatchStatus, BulkBatch
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import (
    AnchorTable,
    StuckAnchor,
    creating_index,
    stuck_anchors,
)
from chalicelib.store.reservations.items import META, parse_instant, user_pk
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


class BulkStore(AnchorTable[BulkBatch, BatchStatus]):
    outcome = "bulk"
    changed = ("batch_changed", "the batch changed meanwhile")

    def key_of(self, entity_id: str) -> str:
        return bulk_pk(entity_id)

    def id_of(self, anchor: BulkBatch) -> str:
        return anchor.batch_id

    def to_raw(self, anchor: BulkBatch, updated_at: datetime) -> Item:
        return _item(anchor, updated_at)

    def from_raw(self, raw: Item) -> BulkBatch:
        return _from_raw(raw)

    @staticmethod
    def stuck(created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        """Anchors (batches and series) still `creating` created before the cutoff."""
        return stuck_anchors(created_before, limit=limit)
