"""Reservation items: PynamoDB models, the key builders that own their layout, and mappers.

Items (single table, see docs/data-model.md "Reservations"):

- reservation: `RESERVATION#<id>` / `META`; GSI1 `USER#<uid>` / `RESV#<start>#<id>` (a user's
  reservations), GSI2 `RESV#<yyyy-mm>` / `<start>#<id>` (everyone's, by start month);
- history: `RESERVATION#<id>` / `HISTORY#<at>#<entry id>`;
- occupancy: `RESOURCE#<resource id>` / `SLOT#<start>#<reservation id>`; GSI2
  `OCC#<length class>#<start day or month>` / `<start>#<resource id>#<id>` (every resource's
  occupancy near a window, for the free-window search: day_index.py, day_occupancy.py);
- day version: `RESOURCE#<resource id>` / `DAY#<yyyy-mm-dd>` (UTC day).

Occupancy items exist exactly while a reservation occupies its resource; they are written and
deleted in the same transaction as the reservation item, so a strongly consistent query on the
base table sees every occupying neighbour (GSIs would only be eventually consistent).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.domain.quotas.charge import dump_charges, load_charges
from chalicelib.domain.reservations import (
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.reservations import day_index
from chalicelib.store.table import TableItem, bind

META = "META"
SLOT_PREFIX = "SLOT#"
DAY_PREFIX = "DAY#"
HISTORY_PREFIX = "HISTORY#"
USER_RESV_PREFIX = "RESV#"


# --- keys -----------------------------------------------------------------------------------


def resource_pk(resource_id: str) -> str:
    return f"RESOURCE#{resource_id}"


def day_sk(day: date) -> str:
    return f"{DAY_PREFIX}{day.isoformat()}"


def slot_sk(start: datetime, reservation_id: str) -> str:
    return f"{SLOT_PREFIX}{iso_z(start)}#{reservation_id}"


def slot_bound(at: datetime) -> str:
    """A sort-key bound for occupancy queries: every slot starting before `at` sorts below it."""
    return f"{SLOT_PREFIX}{iso_z(at)}"


def reservation_pk(reservation_id: str) -> str:
    return f"RESERVATION#{reservation_id}"


def history_sk(at: datetime, entry_id: str) -> str:
    return f"{HISTORY_PREFIX}{iso_z(at)}#{entry_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def user_sk(start: datetime, reservation_id: str) -> str:
    return f"{USER_RESV_PREFIX}{iso_z(start)}#{reservation_id}"


def user_bound(at: datetime) -> str:
    return f"{USER_RESV_PREFIX}{iso_z(at)}"


def month_pk(month: date | datetime) -> str:
    return f"RESV#{month.year:04d}-{month.month:02d}"


def month_sk(start: datetime, reservation_id: str) -> str:
    return f"{iso_z(start)}#{reservation_id}"


def table_name() -> str:
    """The bound table's name (binding first, so settings decide, not the model default)."""
    bind()
    return str(TableItem.Meta.table_name)


def key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


# --- models ---------------------------------------------------------------------------------


class ReservationItem(TableItem, discriminator="reservation"):  # type: ignore[call-arg]
    reservation_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    series_id = UnicodeAttribute(null=True)
    override_by = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    version = NumberAttribute()
    quota_charges = UnicodeAttribute(null=True)  # JSON, domain/quotas/charge.py


class OccupancyItem(TableItem, discriminator="occupancy"):  # type: ignore[call-arg]
    reservation_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()
    status = UnicodeAttribute()


class DayVersionItem(TableItem, discriminator="day_version"):  # type: ignore[call-arg]
    ver = NumberAttribute()


class HistoryItem(TableItem, discriminator="reservation_history"):  # type: ignore[call-arg]
    reservation_id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    action = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    details = UnicodeAttribute(null=True)  # JSON object of strings
    channel = UnicodeAttribute(null=True)  # web / cli / api / system


# --- mapping --------------------------------------------------------------------------------


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def reservation_item(reservation: Reservation, *, updated_at: datetime) -> ReservationItem:
    start = reservation.window.start
    rid = reservation.reservation_id
    return ReservationItem(
        PK=reservation_pk(rid),
        SK=META,
        GSI1PK=user_pk(reservation.user_id),
        GSI1SK=user_sk(start, rid),
        GSI2PK=month_pk(start),
        GSI2SK=month_sk(start, rid),
        reservation_id=rid,
        resource_id=reservation.resource_id,
        user_id=reservation.user_id,
        start_time=iso_z(start),
        end_time=iso_z(reservation.window.end),
        status=reservation.status.value,
        created_at=iso_z(reservation.created_at),
        updated_at=iso_z(updated_at),
        notes=reservation.notes or None,
        series_id=reservation.series_id,
        override_by=reservation.override_by,
        cancel_reason=reservation.cancel_reason or None,
        version=reservation.version,
        quota_charges=dump_charges(reservation.quota_charges),
    )


def reservation_from_item(item: ReservationItem) -> Reservation:
    return Reservation(
        reservation_id=item.reservation_id,
        resource_id=item.resource_id,
        user_id=item.user_id,
        window=TimeRange(parse_instant(item.start_time), parse_instant(item.end_time)),
        status=ReservationStatus(item.status),
        created_at=parse_instant(item.created_at),
        notes=item.notes or "",
        series_id=item.series_id,
        override_by=item.override_by,
        cancel_reason=item.cancel_reason or "",
        version=int(item.version),
        quota_charges=load_charges(item.quota_charges),
    )


def reservation_from_raw(raw: dict[str, Any]) -> Reservation:
    return reservation_from_item(ReservationItem.from_raw_data(raw))


def occupancy_item(reservation: Reservation) -> OccupancyItem:
    # GSI2 keys: the catalogue-wide occupancy index the free-window search reads (search16)
    index_pk, index_sk = day_index.index_keys(reservation)
    return OccupancyItem(
        PK=resource_pk(reservation.resource_id),
        SK=slot_sk(reservation.window.start, reservation.reservation_id),
        GSI2PK=index_pk,
        GSI2SK=index_sk,
        reservation_id=reservation.reservation_id,
        user_id=reservation.user_id,
        start_time=iso_z(reservation.window.start),
        end_time=iso_z(reservation.window.end),
        status=reservation.status.value,
    )


def occupancy_key(reservation: Reservation) -> dict[str, dict[str, str]]:
    return key(
        resource_pk(reservation.resource_id),
        slot_sk(reservation.window.start, reservation.reservation_id),
    )


def history_item(reservation_id: str, entry: HistoryEntry, entry_id: str) -> HistoryItem:
    return HistoryItem(
        PK=reservation_pk(reservation_id),
        SK=history_sk(entry.at, entry_id),
        reservation_id=reservation_id,
        at=iso_z(entry.at),
        actor_id=entry.actor_id,
        action=entry.action,
        reason=entry.reason or None,
        details=json.dumps(entry.details, sort_keys=True) if entry.details else None,
        channel=entry.channel or None,
    )


def history_from_raw(raw: dict[str, Any]) -> HistoryEntry:
    item = HistoryItem.from_raw_data(raw)
    details = json.loads(item.details) if item.details else {}
    return HistoryEntry(
        at=parse_instant(item.at),
        actor_id=item.actor_id,
        action=item.action,
        reason=item.reason or "",
        details={str(k): str(v) for k, v in details.items()},
        channel=item.channel or "",
    )
