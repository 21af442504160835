"""Departed slots: where a reservation stood on a resource after it stopped occupying it.

A subscribed calendar only drops an event it sees again as `STATUS:CANCELLED`, so a resource's
feed must still find a reservation after it is cancelled (or rejected, released, expired) or
moved to another resource, although its occupancy item is gone. The writer therefore puts a
departed-slot item in the same transaction that deletes the occupancy item:

    `RESOURCE#<resource id>` / `GONE#<start>#<reservation id>`, `expires_at` = the change + the
    calendar retention (+ a day, since feeds filter by the reservation's own last change).

It lives beside the occupancy items (one more bounded query per feed, cost proportional to the
window) but under its own prefix and without index keys, so nothing that looks for occupants
(the `SLOT#` range, the GSI2 occupancy index) ever sees it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.settings import get_settings
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import parse_instant, resource_pk
from chalicelib.store.table import TableItem

GONE_PREFIX = "GONE#"
_SLACK = timedelta(days=1)


class DepartedSlotItem(TableItem, discriminator="departed_slot"):  # type: ignore[call-arg]
    reservation_id = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()


def gone_sk(start: datetime, reservation_id: str) -> str:
    return f"{GONE_PREFIX}{iso_z(start)}#{reservation_id}"


def gone_bound(at: datetime) -> str:
    """A sort-key bound: every departed slot starting before `at` sorts below it."""
    return f"{GONE_PREFIX}{iso_z(at)}"


def departed_put(before: Reservation, at: datetime, table: str) -> Item:
    """The Put that remembers `before`'s slot (unconditional: a redo writes the same item)."""
    retention = timedelta(days=get_settings().calendar_cancelled_retention_days)
    item = DepartedSlotItem(
        PK=resource_pk(before.resource_id),
        SK=gone_sk(before.window.start, before.reservation_id),
        reservation_id=before.reservation_id,
        start_time=iso_z(before.window.start),
        end_time=iso_z(before.window.end),
        expires_at=epoch_seconds(at + retention + _SLACK),
    )
    return {"Put": {"TableName": table, "Item": item.serialize()}}


def as_departed(reservation: Reservation, resource_id: str, raw: dict[str, Any]) -> Reservation:
    """How `resource_id`'s feed shows a reservation that left it: itself if it was cancelled
    there; if it moved to another resource, cancelled at the slot it had here."""
    if reservation.resource_id == resource_id and not reservation.occupies:
        return reservation
    return Reservation(
        reservation_id=reservation.reservation_id,
        resource_id=resource_id,
        user_id=reservation.user_id,
        window=TimeRange(
            parse_instant(raw["start_time"]["S"]), parse_instant(raw["end_time"]["S"])
        ),
        status=ReservationStatus.CANCELLED,
        created_at=reservation.created_at,
        series_id=reservation.series_id,
        version=reservation.version,
    )
