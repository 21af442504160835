"""The pure waitlist rules: FIFO positions, one user's overlapping wishes, the window offered
to an entry (exact / flexible, buffers, opening hours, rules), the entry's transitions, and
which window an event frees."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.catalog.resources import BusinessHours, DayHours
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import DomainEvent, make_event
from chalicelib.domain.reservations import ReservationStatus, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.domain.waitlist.entries import (
    EntryStatus,
    InvalidEntryChange,
    Offer,
    WaitlistEntry,
    Wish,
)
from chalicelib.domain.waitlist.matching import (
    QueueSlot,
    ceil_minute,
    current,
    first_window,
    opening_starts,
    positions,
    same_user_overlap,
    wanted_by,
)
from chalicelib.domain.waitlist.triggers import freed_by

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def span(h1: int, h2: int) -> TimeRange:
    return TimeRange(at(h1), at(h2))


def busy(h1: int, h2: int, rid: str = "r") -> Occupant:
    return Occupant(rid + str(h1), "u", span(h1, h2), ReservationStatus.ACTIVE)


def ok(_: TimeRange) -> str | None:
    return None


def slot(entry_id: str, user: str, seq: int, wish: Wish) -> QueueSlot:
    return QueueSlot(entry_id, user, seq, wish)


# --- positions and duplicates ----------------------------------------------------------------


def test_positions_follow_the_join_order_not_the_ids() -> None:
    queue = [slot("z", "a", 2, Wish(span(9, 10))), slot("a", "b", 1, Wish(span(9, 10)))]
    assert positions(queue) == {"a": 1, "z": 2}


def test_slots_whose_time_is_over_are_not_current() -> None:
    queue = [
        slot("old", "a", 1, Wish(TimeRange(at(7), at(8)))),
        slot("new", "b", 2, Wish(span(9, 10))),
    ]
    assert [s.entry_id for s in current(queue, at(8))] == ["new"]


def test_one_user_may_not_wait_twice_for_overlapping_times() -> None:
    queue = [slot("e1", "ada", 1, Wish(span(9, 11)))]
    assert same_user_overlap("ada", Wish(span(10, 12)), queue) == queue[0]
    assert same_user_overlap("ada", Wish(span(11, 12)), queue) is None  # touching is fine
    assert same_user_overlap("bob", Wish(span(9, 11)), queue) is None


def test_a_freed_window_concerns_the_wishes_it_overlaps() -> None:
    assert wanted_by(Wish(span(9, 12), timedelta(hours=1)), span(11, 13))
    assert not wanted_by(Wish(span(9, 10)), span(10, 11))
    assert wanted_by(Wish(span(9, 10)), None)  # maintenance ended: anything


# --- the window offered ----------------------------------------------------------------------


def test_an_exact_wish_is_offered_only_when_all_of_it_is_free() -> None:
    wish = Wish(span(10, 11))
    assert (
        first_window(wish, now=NOW, occupants=[], buffers=Buffers(), judge=ok).window == wish.span
    )
    taken = first_window(wish, now=NOW, occupants=[busy(10, 12)], buffers=Buffers(), judge=ok)
    assert taken.window is None and taken.reason == ""


def test_buffers_keep_a_gap_after_the_neighbour() -> None:
    wish = Wish(span(10, 11))
    buffers = Buffers(timedelta(0), timedelta(minutes=15))
    match = first_window(wish, now=NOW, occupants=[busy(9, 10)], buffers=buffers, judge=ok)
    assert match.window is None


def test_a_flexible_wish_gets_the_earliest_gap_that_fits() -> None:
    wish = Wish(span(9, 13), timedelta(hours=1))
    occupants = [busy(9, 10), busy(10, 11, "s"), busy(12, 13)]
    match = first_window(wish, now=NOW, occupants=occupants, buffers=Buffers(), judge=ok)
    assert match.window == span(11, 12)


def test_a_flexible_wish_never_starts_in_the_past_and_starts_on_a_minute() -> None:
    now = at(9, 20) + timedelta(seconds=7)
    wish = Wish(TimeRange(at(9), at(12)), timedelta(hours=1))
    match = first_window(wish, now=now, occupants=[], buffers=Buffers(), judge=ok)
    assert match.window == TimeRange(at(9, 21), at(10, 21))
    assert ceil_minute(at(9)) == at(9)


def test_an_exact_wish_that_started_is_not_offered() -> None:
    match = first_window(Wish(span(8, 10)), now=at(9), occupants=[], buffers=Buffers(), judge=ok)
    assert match.window is None and "started" in match.reason


def test_rules_are_applied_and_the_last_reason_is_kept() -> None:
    wish = Wish(span(9, 12), timedelta(hours=1))

    def only_after_eleven(window: TimeRange) -> str | None:
        return None if window.start >= at(11) else "closed before 11:00"

    occupants = [busy(8, 9), busy(9, 10, "b"), busy(10, 11, "c")]
    match = first_window(
        wish, now=NOW, occupants=occupants, buffers=Buffers(), judge=only_after_eleven
    )
    assert match.window == span(11, 12)
    refused = first_window(
        Wish(span(9, 10)), now=NOW, occupants=[], buffers=Buffers(), judge=only_after_eleven
    )
    assert refused == refused.__class__(None, "closed before 11:00")


def test_openings_are_candidate_starts() -> None:
    hours = BusinessHours({d: DayHours(time(9, 30), time(17)) for d in range(7)})
    zone = ZoneInfo("Europe/Berlin")
    starts = opening_starts(TimeRange(at(0), at(23)), hours, zone)
    assert starts == [datetime(2026, 11, 25, 8, 30, tzinfo=UTC)]
    wish = Wish(TimeRange(at(6), at(12)), timedelta(hours=1), within_hours=True)

    def inside(window: TimeRange) -> str | None:
        return None if window.start >= starts[0] else "closed"

    match = first_window(
        wish, now=NOW, occupants=[], buffers=Buffers(), judge=inside, extra_starts=starts
    )
    assert match.window == TimeRange(starts[0], starts[0] + timedelta(hours=1))


# --- the entry's transitions -----------------------------------------------------------------


def entry(status: EntryStatus = EntryStatus.WAITING) -> WaitlistEntry:
    return WaitlistEntry("e1", "r", "ada", Wish(span(10, 11)), 1, NOW, status=status)


def test_offer_accept_walks_the_table_and_bumps_the_version() -> None:
    offer = Offer("h1", span(10, 11), NOW + timedelta(minutes=30))
    offered = entry().offered(offer, NOW)
    assert (offered.status, offered.version, offered.offer) == (EntryStatus.OFFERED, 1, offer)
    booked = offered.accepted(NOW)
    assert (booked.status, booked.reservation_id, booked.live) == (EntryStatus.BOOKED, "h1", False)


@pytest.mark.parametrize(
    ("status", "change", "code"),
    [
        (EntryStatus.WAITING, "accepted", "no_offer"),
        (EntryStatus.WAITING, "declined", "no_offer"),
        (EntryStatus.LEFT, "left", "entry_closed"),
        (EntryStatus.BOOKED, "expired", "invalid_entry_change"),
    ],
)
def test_refused_changes_are_409_with_a_code(status: EntryStatus, change: str, code: str) -> None:
    with pytest.raises(InvalidEntryChange) as refused:
        getattr(entry(status), change)(NOW)
    assert refused.value.code == code


def test_a_skip_sends_an_offered_entry_back_to_waiting_with_the_reason() -> None:
    offered = entry().offered(Offer("h1", span(10, 11), NOW), NOW)
    skipped = offered.skipped("blackout", NOW)
    assert (skipped.status, skipped.offer, skipped.reason) == (
        EntryStatus.WAITING,
        None,
        "blackout",
    )


# --- which window an event frees -------------------------------------------------------------


def _event(name: str, **data: object) -> DomainEvent:
    return make_event(name, dict(data), source_id="x", occurred_at=NOW)


def test_events_free_their_window_on_their_resource() -> None:
    window = {"start_time": "2026-11-25T10:00:00.000Z", "end_time": "2026-11-25T11:00:00.000Z"}
    cancelled = freed_by(_event(ev.RESERVATION_CANCELLED, resource_id="r", **window))
    assert cancelled is not None and cancelled.window == span(10, 11)
    moved = freed_by(
        _event(
            ev.RESERVATION_RESCHEDULED,
            resource_id="new",
            previous_resource_id="old",
            previous_start_time=window["start_time"],
            previous_end_time=window["end_time"],
        )
    )
    assert moved is not None and (moved.resource_id, moved.window) == ("old", span(10, 11))
    ended = freed_by(_event(ev.RESOURCE_MAINTENANCE_ENDED, resource_id="r"))
    assert ended is not None and ended.window is None
    assert freed_by(_event(ev.RESERVATION_CREATED, resource_id="r", **window)) is None
    assert (
        freed_by(_event(ev.RESERVATION_CANCELLED, resource_id="r", start_time="x", end_time="y"))
        is None
    )
