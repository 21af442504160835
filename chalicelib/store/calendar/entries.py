"""The reservations a feed shows, read by time so a feed costs what its window holds.

- a user's: GSI1 (`USER#<uid>` / `RESV#<start>#<id>`), the sort key bounded by the window
  (less the longest reservation span, so one that started earlier and still runs is found);
- a resource's: its occupancy items on the base table (`RESOURCE#<id>` / `SLOT#<start>#<id>`)
  and its departed slots (`GONE#<start>#<id>`: reservations cancelled there or moved away,
  kept for the retention period, store/reservations/departed.py), the same bounds, then one
  BatchGetItem of those reservations for their revision and status.

Both stop at MAX_EVENTS items (a feed is not an export); each entry carries `updated_at`, the
item's last write, which the feed shows as LAST-MODIFIED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from chalicelib.domain.calendar.feed import FeedEntry, FeedWindow
from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import dynamo
from chalicelib.store.reservations.departed import as_departed, gone_bound
from chalicelib.store.reservations.items import (
    META,
    ReservationItem,
    key,
    parse_instant,
    reservation_from_item,
    reservation_pk,
    resource_pk,
    slot_bound,
    table_name,
    user_bound,
    user_pk,
)

MAX_EVENTS = 2000
_PAGE = 200


def entry_from_raw(raw: dict[str, Any]) -> FeedEntry:
    item = ReservationItem.from_raw_data(raw)
    return FeedEntry(reservation_from_item(item), parse_instant(item.updated_at))


def _bounded(kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for count, raw in enumerate(dynamo.query(**kwargs), start=1):
        yield raw
        if count >= MAX_EVENTS:
            return


class FeedEntries:
    def for_user(self, user_id: str, window: FeedWindow) -> list[FeedEntry]:
        kwargs = {
            "TableName": table_name(),
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            "FilterExpression": "#end > :from",
            "ExpressionAttributeNames": {"#end": "end_time"},
            "ExpressionAttributeValues": {
                ":pk": {"S": user_pk(user_id)},
                ":lo": {"S": user_bound(window.start - MAX_RESERVATION_SPAN)},
                ":hi": {"S": user_bound(window.end)},
                ":from": {"S": iso_z(window.start)},
            },
            "Limit": _PAGE,
        }
        return [entry_from_raw(raw) for raw in _bounded(kwargs)]

    def for_resource(self, resource_id: str, window: FeedWindow) -> list[FeedEntry]:
        live = {
            raw["reservation_id"]["S"]: raw for raw in self._slots(resource_id, window, slot_bound)
        }
        gone = {
            raw["reservation_id"]["S"]: raw
            for raw in self._slots(resource_id, window, gone_bound)
            if raw["reservation_id"]["S"] not in live  # moved away and back: the live slot wins
        }
        ids = [*live, *gone][:MAX_EVENTS]
        found = dynamo.batch_get(
            table_name(), [key(reservation_pk(rid), META) for rid in ids], consistent=False
        )
        entries = []
        for raw in found.values():
            entry = entry_from_raw(raw)
            rid = entry.reservation.reservation_id
            if rid in gone:
                departed = as_departed(entry.reservation, resource_id, gone[rid])
                entry = FeedEntry(departed, entry.updated_at)
            entries.append(entry)
        return entries

    @staticmethod
    def _slots(
        resource_id: str, window: FeedWindow, bound: Callable[[datetime], str]
    ) -> Iterator[dict[str, Any]]:
        """One prefix of the resource's slots overlapping the window (live or departed)."""
        return _bounded(
            {
                "TableName": table_name(),
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
                "FilterExpression": "#end > :from",
                "ExpressionAttributeNames": {"#end": "end_time"},
                "ExpressionAttributeValues": {
                    ":pk": {"S": resource_pk(resource_id)},
                    ":lo": {"S": bound(window.start - MAX_RESERVATION_SPAN)},
                    ":hi": {"S": bound(window.end)},
                    ":from": {"S": iso_z(window.start)},
                },
                "Limit": _PAGE,
            }
        )

    def one(self, reservation_id: str) -> FeedEntry | None:
        raw = dynamo.get(table_name(), key(reservation_pk(reservation_id), META))
        return None if raw is None else entry_from_raw(raw)
