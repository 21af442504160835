"""Reading reservations: one by id, many by id (one batch read), and their history.

Every write goes through the one booking writer (store/reservations/writer.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain.reservations import HistoryEntry, Reservation, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.store import dynamo
from chalicelib.store.reservations.items import (
    HISTORY_PREFIX,
    META,
    history_from_raw,
    key,
    reservation_from_raw,
    reservation_pk,
    table_name,
)
from chalicelib.store.reservations.related_occupants import blocking_occupants


class ReservationStore:
    def get(self, reservation_id: str) -> Reservation | None:
        raw = dynamo.get(table_name(), key(reservation_pk(reservation_id), META))
        return reservation_from_raw(raw) if raw else None

    def get_many(self, ids: Sequence[str]) -> list[Reservation]:
        """The reservations that exist among `ids`, in the order of `ids` (consistent)."""
        found = dynamo.batch_get(table_name(), [key(reservation_pk(rid), META) for rid in ids])
        by_id = {r.reservation_id: r for r in map(reservation_from_raw, found.values())}
        return [by_id[rid] for rid in dict.fromkeys(ids) if rid in by_id]

    def history(
        self, reservation_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[HistoryEntry], dict[str, Any] | None]:
        """Oldest first, one page at a time."""
        kwargs: dict[str, Any] = {
            "TableName": table_name(),
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :h)",
            "ExpressionAttributeValues": {
                ":pk": {"S": reservation_pk(reservation_id)},
                ":h": {"S": HISTORY_PREFIX},
            },
            "ConsistentRead": True,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = dynamo.client().query(**kwargs)
        entries = [history_from_raw(dict(raw)) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return entries, dict(last) if last else None

    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]:
        """The occupying reservations that could conflict with `windows` (consistent slot
        queries, merged: booking_tx.occupants_around). Read only: the pre-checks of series
        and bulk requests; the write re-checks under the invariant."""
        # Composite resources (issue 14): the related resources' occupants block too.
        return blocking_occupants(resource_id, windows, buffers, now)
