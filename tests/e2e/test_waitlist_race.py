"""The waitlist under real concurrency on DynamoDB Local (in-process services, threads; the
local stack's own waitlist worker receives the same events and races with them):

- two (and more) workers offering one freed window at once: exactly one hold, never an
  overlap, never a lost offer (the window ends up held for the first in line);
- an accept racing direct bookings of the same window: the hold blocks them all, so the
  accept wins and exactly one occupying reservation holds the window;
- an accept racing the expiry job: exactly one of them wins, the entry and its hold agree.

Every verdict is read back from the table (race_kit), never from return values alone.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import DomainError
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.waitlist.entries import WaitlistEntry
from chalicelib.domain.waitlist.triggers import Freed
from chalicelib.services.reservations.booking import BookingRequest
from chalicelib.services.waitlist.entries import JoinRequest
from chalicelib.store.waitlist.repository import WaitlistStore
from tests.e2e.helpers import eventually
from tests.e2e.race_kit import (
    Target,
    base_day,
    overlapping_pairs,
    seed_resources,
    stored_reservations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.race]
ROUNDS = 8
WORKERS = 4
FIGURES: dict[str, Any] = {}


@contextmanager
def in_process(target: Target) -> Iterator[FrozenClock]:
    """The app's services on the stack's DynamoDB Local, with a clock we can move."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        clock = FrozenClock(datetime.now().astimezone())
        wiring.use_clock(clock)
        try:
            yield clock
        finally:
            wiring.reset()


def person(name: str) -> Principal:
    return Principal(f"{name}-{uuid.uuid4().hex[:8]}", name, frozenset({Role.USER}))


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each returns its result or its error."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=60)
        try:
            return call()
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def accept(who: Principal, entry_id: str) -> Any:
    return wiring.waitlist_offers().accept(who, entry_id)


def book(who: Principal, request: BookingRequest) -> Any:
    return wiring.booking().create(who, request)


def entry_of(entry_id: str) -> WaitlistEntry:
    found = WaitlistStore().get(entry_id)
    assert found is not None
    return found


def statuses(entry_ids: list[str]) -> list[str]:
    return [entry_of(i).status.value for i in entry_ids]


def offered(freed: Freed, entry_id: str) -> None:
    """Offer the freed window (or let the stack's own worker, which also got the event)."""
    wiring.waitlist_offers().offer_freed(freed)
    eventually(lambda: entry_of(entry_id).status.value == "offered", 20)


def occupying(target: Target, resource_id: str) -> list[dict[str, str]]:
    items = stored_reservations(target, [resource_id])
    return [r for r in items if r["status"] in {"active", "held", "pending_approval"}]


def queue_with_a_freed_window(
    resource_id: str, slot: TimeRange, waiters: int
) -> tuple[list[str], Freed]:
    """`waiters` entries for `slot`, which was taken and has just been freed."""
    owner = person("owner")
    booking = (
        wiring.booking()
        .create(owner, BookingRequest(resource_id, slot.start, slot.end))
        .reservation
    )
    ids = []
    for n in range(waiters):
        request = JoinRequest(resource_id, slot.start, slot.end)
        ids.append(wiring.waitlist().join(person(f"w{n}"), request).entry.entry_id)
    wiring.booking().cancel(owner, booking.reservation_id, "race")
    return ids, Freed(resource_id, slot)


def test_concurrent_workers_make_exactly_one_offer(target: Target) -> None:
    [resource_id] = seed_resources(target, 1)
    with in_process(target):
        offers = wiring.waitlist_offers()
        for n in range(ROUNDS):
            slot = TimeRange(
                base_day() + timedelta(hours=n), base_day() + timedelta(hours=n, minutes=50)
            )
            ids, freed = queue_with_a_freed_window(resource_id, slot, 3)
            made = at_once([partial(offers.offer_freed, freed) for _ in range(WORKERS)])
            # The stack's own waitlist worker races too (it gets the cancel's event): at most
            # one offer among ours, and exactly one in the table.
            assert sum(made) <= 1, made
            eventually(lambda ids=ids: statuses(ids) == ["offered", "waiting", "waiting"], 20)
    held = [r for r in occupying(target, resource_id) if r["status"] == "held"]
    assert len(held) == ROUNDS
    assert overlapping_pairs(stored_reservations(target, [resource_id])) == []
    FIGURES["offer race"] = f"{ROUNDS} freed windows x {WORKERS} workers: {len(held)} holds"


def test_accept_racing_direct_bookings(target: Target) -> None:
    [resource_id] = seed_resources(target, 1)
    with in_process(target):
        for n in range(ROUNDS):
            start = base_day() + timedelta(days=1, hours=n)
            slot = TimeRange(start, start + timedelta(minutes=45))
            ids, freed = queue_with_a_freed_window(resource_id, slot, 1)
            offered(freed, ids[0])
            entry = entry_of(ids[0])
            waiter = Principal(entry.user_id, "w", frozenset({Role.USER}))
            rivals = [person(f"r{i}") for i in range(WORKERS)]
            results = at_once(
                [partial(accept, waiter, ids[0])]
                + [
                    partial(book, p, BookingRequest(resource_id, slot.start, slot.end))
                    for p in rivals
                ]
            )
            assert not isinstance(results[0], Exception), results[0]
            assert all(getattr(r, "code", "") == "reservation_conflict" for r in results[1:]), (
                results
            )
    stored = stored_reservations(target, [resource_id])
    assert overlapping_pairs(stored) == []
    assert len([r for r in stored if r["status"] == "active"]) == ROUNDS
    FIGURES["accept vs booking"] = f"{ROUNDS} accepts x {WORKERS} rival bookings: 0 overlaps"


def test_accept_racing_the_expiry_job(target: Target) -> None:
    [resource_id] = seed_resources(target, 1)
    outcomes = {"accepted": 0, "lapsed": 0}
    with in_process(target) as clock:
        for n in range(ROUNDS):
            start = base_day() + timedelta(days=2, hours=n)
            slot = TimeRange(start, start + timedelta(minutes=45))
            ids, freed = queue_with_a_freed_window(resource_id, slot, 1)
            offered(freed, ids[0])
            entry = entry_of(ids[0])
            assert entry is not None and entry.offer is not None
            waiter = Principal(entry.user_id, "w", frozenset({Role.USER}))
            clock.set(entry.offer.expires_at - timedelta(milliseconds=1))
            job_clock = entry.offer.expires_at + timedelta(seconds=1)
            results = at_once(
                [
                    partial(accept, waiter, ids[0]),
                    partial(wiring.waitlist_offers().expire_offers, job_clock),
                ]
            )
            final = entry_of(ids[0])
            assert final is not None
            hold = [
                r
                for r in stored_reservations(target, [resource_id])
                if r["reservation_id"] == entry.offer.reservation_id
            ]
            if final.status.value == "booked":
                outcomes["accepted"] += 1
                assert hold[0]["status"] == "active" and not isinstance(results[0], Exception)
            else:
                outcomes["lapsed"] += 1
                assert final.status.value == "lapsed" and hold[0]["status"] == "expired"
                # The accept may read the entry before the job lapses it (offer_expired,
                # entry_changed) or after (no_offer): each is a refusal, never a booking.
                assert getattr(results[0], "code", "") in {
                    "offer_expired",
                    "entry_changed",
                    "no_offer",
                }
            clock.set(datetime.now().astimezone())
    assert sum(outcomes.values()) == ROUNDS
    assert overlapping_pairs(stored_reservations(target, [resource_id])) == []
    FIGURES["accept vs expiry"] = str(outcomes)
    print("waitlist race figures:", FIGURES)
