"""Bulk booking: many reservations in one request, all or nothing.

A batch that fits one DynamoDB transaction is written in it. A larger one is anchored by a
`bulk batch` item written first (`creating`); the reservations follow in chunks, and the
batch ends `complete`, or `failed` after the chunks already written were cancelled again
(compensation). A batch left `creating` by a crash is rolled back by the recovery job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.conflicts import Occupant
from chalicelib.domain.timeutil import iso_z

MAX_ITEMS = 100
MAX_TRANSACTION_ITEMS = 100
ITEMS_PER_BOOKING = 3  # occupancy, reservation, history (+1: a pending one's approval request)
# Longer than any request can live (Lambda stops at 15 min): a batch still `creating` after
# this has lost its writer, so rolling it back cannot race a live request.
STUCK_AFTER = timedelta(minutes=15)


class BatchStatus(StrEnum):
    CREATING = "creating"  # reservations are being written; not yet the user's
    COMPLETE = "complete"
    FAILED = "failed"  # rolled back; `failure` says why


@dataclass(frozen=True)
class BulkBatch:
    batch_id: str
    user_id: str
    status: BatchStatus
    created_at: datetime
    reservation_ids: tuple[str, ...] = ()
    failure: dict[str, Any] = field(default_factory=dict)
    version: int = 0


@dataclass(frozen=True)
class ItemError:
    """Why one item of a bulk request cannot be booked."""

    code: str
    message: str
    conflicts: list[dict[str, str]] = field(default_factory=list)  # as the caller may see them
    overlaps_with: list[int] = field(default_factory=list)
    occupants: tuple[Occupant, ...] = ()  # what a conflict collides with

    @property
    def is_conflict(self) -> bool:
        return self.code == "reservation_conflict"


@dataclass(frozen=True)
class ItemCost:
    """What one booking adds to a transaction: three items plus the (resource, UTC day)
    version items it touches (shared with other bookings of the chunk)."""

    index: int
    days: frozenset[tuple[str, date]]
    items: int = ITEMS_PER_BOOKING  # 4 for a booking awaiting approval (its request item)


def plan_chunks(costs: Sequence[ItemCost], capacity: int) -> list[list[int]]:
    """Greedy split into transactions of at most `capacity` items; indexes, in input order."""
    chunks: list[list[int]] = []
    current: list[int] = []
    days: set[tuple[str, date]] = set()
    items = 0
    for cost in costs:
        size = items + cost.items + len(days | cost.days)
        if current and size > capacity:
            chunks.append(current)
            current, days, items = [], set(), 0
        current.append(cost.index)
        days |= cost.days
        items += cost.items
    if current:
        chunks.append(current)
    return chunks


def describe(index: int, resource_id: str, window: TimeRange | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"index": index, "resource_id": resource_id}
    if window is not None:
        entry.update(start_time=iso_z(window.start), end_time=iso_z(window.end))
    return entry
