"""The composite links read in the booking path's one BatchGetItem (issue 16): read together
with the day versions, so possibly before them, and guarded in the transaction. A stale links
read must never let an overlap with a related resource through (moto, no HTTP)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict
from chalicelib.store.catalog.composites import CompositeStore
from chalicelib.store.reservations.booking_tx import read_versions
from chalicelib.store.reservations.occupied_by import Links, read_links
from chalicelib.store.reservations.writer import Booking, BookingWriter
from tests.integration.test_reservations_store import T0, created, reservation

PART, HALL = "res-1", "hall"


def book(
    rid: str,
    resource_id: str,
    start_minutes: int,
    versions: dict[date, int | None] | None = None,
    links: Links | None = None,
) -> None:
    start = T0 + timedelta(minutes=start_minutes)
    draft = replace(reservation(rid, start), resource_id=resource_id)
    BookingWriter(SequentialIds(rid)).create(
        [Booking(draft, created(), Buffers())],
        known_versions={resource_id: versions} if versions is not None else None,
        known_links={resource_id: links} if links is not None else None,
    )


def test_links_changed_after_the_read_are_seen_on_the_retry(aws: None) -> None:
    # Given the part's links read (none) with its day versions, then, before our transaction,
    # the part linked into a hall and the hall booked 09:00-10:00 (which bumps the part's day)
    stale = read_links([PART])[PART]
    CompositeStore().write([Links(HALL, parts=(PART,)), Links(PART, part_of=(HALL,))])
    book("rival", HALL, 0)
    # The worst order a BatchGetItem allows: the versions read after the rival, the links before
    fresh = read_versions(PART, [T0.date()])
    # When the part is booked 09:30-10:30 with those reads
    with pytest.raises(ReservationConflict):
        book("mine", PART, 30, fresh, stale)
    # Then the guard failed the first attempt, and the retry read the links and saw the hall's
    # booking: nothing of ours was written


def test_unchanged_links_commit_on_the_first_attempt(aws: None) -> None:
    known = read_links([PART])[PART]
    fresh = read_versions(PART, [T0.date()])
    book("mine", PART, 30, fresh, known)
    assert read_versions(PART, [T0.date()]) == {T0.date(): 1}
