"""Series items: `SERIES#<id>` / `META`, GSI1 `USER#<uid>` / `SERIES#<created>#<id>`.

The series item is the anchor of a multi-transaction write: it is put (`creating`) together
with the request's Idempotency-Key record, its occurrences follow in chunks, and a final
conditional update moves it to `active` (or `failed` after compensation). Status changes are
guarded by the item's `version`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import (
    AnchorTable,
    creating_index,
)
from chalicelib.store.reservations.items import (
    META,
    parse_instant,
    user_pk,
)
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.table import TableItem


def series_pk(series_id: str) -> str:
    return f"SERIES#{series_id}"


def user_series_sk(created_at: datetime, series_id: str) -> str:
    return f"SERIES#{iso_z(created_at)}#{series_id}"


class SeriesItem(TableItem, discriminator="series"):  # type: ignore[call-arg]
    series_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    rule = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    occurrence_ids = ListAttribute(of=UnicodeAttribute, null=True)
    notes = UnicodeAttribute(null=True)
    exdates = ListAttribute(of=UnicodeAttribute, null=True)
    failure = UnicodeAttribute(null=True)  # JSON
    cancel_reason = UnicodeAttribute(null=True)
    version = NumberAttribute()


def _item(series: Series, updated_at: datetime) -> dict[str, Any]:
    item = SeriesItem(
        PK=series_pk(series.series_id),
        SK=META,
        GSI1PK=user_pk(series.user_id),
        GSI1SK=user_series_sk(series.created_at, series.series_id),
        series_id=series.series_id,
        resource_id=series.resource_id,
        user_id=series.user_id,
        rule=series.rule,
        start_time=iso_z(series.first.start),
        end_time=iso_z(series.first.end),
        status=series.status.value,
        created_at=iso_z(series.created_at),
        updated_at=iso_z(updated_at),
        occurrence_ids=list(series.occurrence_ids) or None,
        notes=series.notes or None,
        exdates=list(series.exdates) or None,
        failure=json.dumps(series.failure) if series.failure else None,
        cancel_reason=series.cancel_reason or None,
        version=series.version,
    )
    raw: dict[str, Any] = {**item.serialize(), **stamp_raw()}
    if series.status == SeriesStatus.CREATING:  # found by the recovery job if it gets stuck
        raw.update(creating_index("SERIES", series.series_id, series.created_at))
    return raw


def _from_raw(raw: dict[str, Any]) -> Series:
    item = SeriesItem.from_raw_data(raw)
    return Series(
        series_id=item.series_id,
        resource_id=item.resource_id,
        user_id=item.user_id,
        rule=item.rule,
        first=TimeRange(parse_instant(item.start_time), parse_instant(item.end_time)),
        status=SeriesStatus(item.status),
        created_at=parse_instant(item.created_at),
        occurrence_ids=tuple(str(i) for i in item.occurrence_ids or ()),
        notes=item.notes or "",
        exdates=tuple(str(d) for d in item.exdates or ()),
        failure=json.loads(item.failure) if item.failure else {},
        cancel_reason=item.cancel_reason or "",
        version=int(item.version),
    )


class SeriesStore(AnchorTable[Series, SeriesStatus]):
    outcome = "series"
    changed = ("series_changed", "the series changed meanwhile; reload it")

    def key_of(self, entity_id: str) -> str:
        return series_pk(entity_id)

    def id_of(self, anchor: Series) -> str:
        return anchor.series_id

    def to_raw(self, anchor: Series, updated_at: datetime) -> Item:
        return _item(anchor, updated_at)

    def from_raw(self, raw: Item) -> Series:
        return _from_raw(raw)

    def occurrences(self, series: Series) -> list[Reservation]:
        """The series' reservations in start order (one consistent batch read)."""
        found = ReservationStore().get_many(series.occurrence_ids)
        return sorted(found, key=lambda r: (r.window.start, r.reservation_id))
