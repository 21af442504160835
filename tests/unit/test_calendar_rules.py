"""Calendar feed rules (pure): the window's bounds, which status a reservation shows as, how
long a removed one stays, busy blocks that disclose nothing, tokens, and add-to links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.domain.calendar.feed import (
    EventStatus,
    FeedEntry,
    FeedWindow,
    Place,
    busy_event,
    event_status,
    reservation_event,
    shown,
)
from chalicelib.domain.calendar.links import links_for
from chalicelib.domain.calendar.tokens import FeedTokens, same_token, token_hash, well_formed
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
S = ReservationStatus


def entry(status: S = S.ACTIVE, *, updated: datetime = NOW, notes: str = "") -> FeedEntry:
    window = TimeRange(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1))
    reservation = Reservation("r1", "room", "alice", window, status, NOW, notes=notes, version=3)
    return FeedEntry(reservation, updated)


@pytest.mark.parametrize(("past", "future"), [(-1, 10), (367, 10), (0, 0), (0, 367)])
def test_a_window_out_of_bounds_is_refused(past: int, future: int) -> None:
    with pytest.raises(InvalidInput):
        FeedWindow.around(NOW, past, future)


def test_the_window_is_past_and_future_days_around_now() -> None:
    window = FeedWindow.around(NOW, 2, 5)

    assert (window.start, window.end) == (NOW - timedelta(days=2), NOW + timedelta(days=5))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.ACTIVE, EventStatus.CONFIRMED),
        (S.CHECKED_IN, EventStatus.CONFIRMED),
        (S.COMPLETED, EventStatus.CONFIRMED),
        (S.PENDING_APPROVAL, EventStatus.TENTATIVE),
        (S.HELD, EventStatus.TENTATIVE),
        (S.CANCELLED, EventStatus.CANCELLED),
        (S.REJECTED, EventStatus.CANCELLED),
        (S.NO_SHOW, EventStatus.CANCELLED),
    ],
)
def test_each_status_shows_as(status: S, expected: EventStatus) -> None:
    assert event_status(entry(status)) is expected


def test_expired_before_its_end_never_happened_but_after_its_end_it_did() -> None:
    early = entry(S.EXPIRED, updated=NOW)
    late = entry(S.EXPIRED, updated=NOW + timedelta(days=2))

    assert event_status(early) is EventStatus.CANCELLED
    assert event_status(late) is EventStatus.CONFIRMED


def test_a_removed_booking_stays_for_the_retention_period_only() -> None:
    cancelled = entry(S.CANCELLED, updated=NOW)
    keep = timedelta(days=30)

    assert shown(cancelled, NOW + timedelta(days=30), keep)
    assert not shown(cancelled, NOW + timedelta(days=30, seconds=1), keep)
    assert shown(entry(S.ACTIVE, updated=NOW - timedelta(days=400)), NOW, keep)


def test_a_busy_block_discloses_no_id_or_notes_and_its_uid_is_stable() -> None:
    place = Place("Room 1", "Europe/Berlin", "HQ")
    mine = reservation_event(entry(notes="secret"), place)
    busy = busy_event(entry(notes="secret"), place)

    assert "r1" in mine.uid and "secret" in mine.description and mine.sequence == 3
    assert "r1" not in busy.uid and busy.description == "" and busy.summary == "Busy: Room 1"
    assert busy.uid == busy_event(entry(S.CANCELLED), place).uid


def test_tokens_derive_from_the_nonce_and_are_checked_by_hash() -> None:
    tokens = FeedTokens("k" * 48)
    token = tokens.token("user:alice", "n1")

    assert well_formed(token) and token == tokens.token("user:alice", "n1")
    assert token != tokens.token("user:alice", "n2")
    assert token != FeedTokens("j" * 48).token("user:alice", "n1")
    assert same_token(token, token_hash(token))
    assert not same_token(tokens.token("user:bob", "n1"), token_hash(token))
    assert not well_formed("short") and not well_formed("x" * 42 + "!")


def test_links_carry_utc_times_and_the_text() -> None:
    event = reservation_event(entry(), Place("Room & 1", "America/New_York", "HQ, 2"))

    found = links_for(event)

    google = parse_qs(urlparse(found.google).query)
    outlook = parse_qs(urlparse(found.outlook).query)
    assert google["dates"] == ["20261125T090000Z/20261125T100000Z"]
    assert google["text"] == ["Room & 1"] and google["ctz"] == ["America/New_York"]
    assert outlook["startdt"] == ["2026-11-25T09:00:00Z"] and outlook["location"] == ["HQ, 2"]
    assert found.office365.startswith("https://outlook.office.com/")
