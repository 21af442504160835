"""The catalogue-wide occupancy index: every occupancy item also sits in a GSI2 partition
of its UTC start day (or month), so the free-window search reads the occupants of ALL
candidates near a window in a few queries instead of one query per candidate.

Layout (GSI2, sparse: only occupancy items carry these keys):
    GSI2PK = `OCC#<class>#<bucket>`   GSI2SK = `<start>#<resource id>#<reservation id>`
Occupancies are split by length into classes so that the start range a window must read
stays short for the common short bookings (a 1-hour window reads ~4 hours of starts of the
2-hour class, not 7 days of starts):

    class  longest     bucket      start range read for a window [s, e) and margin m
    H      2 hours     UTC day     [s - 2h - m, e + m]
    D      1 day       UTC day     [s - 1d - m, e + m]
    L      7 days      UTC month   [s - 7d - m, e + m]   (MAX_RESERVATION_SPAN)

The keys are set by `items.occupancy_item`, so every transaction that writes an occupancy
item (book, move, approve, hold) keeps the index without the writer knowing about it.
A GSI is eventually consistent: a booking committed milliseconds before a search may be
missing from it. That is the same promise the search already made ("free now, may be taken
a moment later"): the booking transaction, on the base table, stays the arbiter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.conflicts import Occupant
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store import dynamo
from chalicelib.store.reservations.booking_tx import occupant_from_raw
from chalicelib.store.reservations.day_index import CLASSES
from chalicelib.store.reservations.items import resource_pk, table_name

INDEX = "GSI2"
_ONE_MS = timedelta(milliseconds=1)
_PROJECTION = "PK, reservation_id, user_id, start_time, end_time, #s, expires_at"
RESOURCE_PREFIX = resource_pk("")
Runner = Callable[
    [
        Callable[[tuple[str, datetime, datetime]], list[dynamo.Item]],
        Iterable[tuple[str, datetime, datetime]],
    ],
    Iterable[list[dynamo.Item]],
]


def occupants_near(
    window: TimeRange, margin: timedelta, now: datetime, *, run: Runner = map
) -> dict[str, list[Occupant]]:
    """Occupants (by resource id) of every resource that could block any part of `window`
    widened by `margin` on both sides (margin >= the largest buffer_before + buffer_after
    of the resources asked about). A superset: the caller decides exact overlap. `run`
    maps the partition queries (an executor's `map` runs them concurrently)."""
    return start_occupants_near(window, margin, now, run=run)()


def start_occupants_near(
    window: TimeRange, margin: timedelta, now: datetime, *, run: Runner = map
) -> Callable[[], dict[str, list[Occupant]]]:
    """`occupants_near`, started now and collected by calling the result: an executor's
    `map` submits every partition query at once, so the caller's own reads overlap them.
    Calling the result again returns the same answer (the queries run once)."""
    pages = run(_query, _partitions(window, margin))
    answer: list[dict[str, list[Occupant]]] = []

    def collect() -> dict[str, list[Occupant]]:
        if answer:
            return answer[0]
        now_epoch = epoch_seconds(now)
        found: dict[str, list[Occupant]] = defaultdict(list)
        for page in pages:
            for raw in page:
                occupant = occupant_from_raw(raw, now_epoch)
                resource_id = raw["PK"]["S"].removeprefix(RESOURCE_PREFIX)
                if occupant is not None and occupant.window.end > window.start - margin:
                    found[resource_id].append(occupant)
        answer.append(found)
        return found

    return collect


def _partitions(window: TimeRange, margin: timedelta) -> list[tuple[str, datetime, datetime]]:
    high = window.end + margin
    return [
        (f"OCC#{kind.name}#{bucket}", low, high)
        for kind in CLASSES
        for low in [window.start - margin - kind.longest]
        for bucket in kind.buckets(low, high)
    ]


def _query(partition: tuple[str, datetime, datetime]) -> list[dynamo.Item]:
    # The sort key starts with the start instant; "~" sorts after every "#<ids>" suffix.
    name, low, high = partition
    return list(
        dynamo.query(
            TableName=table_name(),
            IndexName=INDEX,
            KeyConditionExpression="GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": name},
                ":lo": {"S": iso_z(low - _ONE_MS)},
                ":hi": {"S": f"{iso_z(high + _ONE_MS)}~"},
            },
            ProjectionExpression=_PROJECTION,
            ExpressionAttributeNames={"#s": "status"},
        )
    )
