"""Check-in rules (pure): the window, no-show, strikes; the signed link; the stored setting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.catalog.check_in_policy import NO_CHECK_IN, CheckInPolicy
from chalicelib.domain.errors import Gone, NotFound
from chalicelib.domain.reservations import Reservation, ReservationStatus
from chalicelib.domain.reservations.check_in import (
    CheckInNotOpen,
    is_no_show,
    require_open,
    strikes_reached,
    window_of,
)
from chalicelib.domain.reservations.time_range import TimeRange
from chalicelib.domain.signed_links import SignedLinks
from chalicelib.store.catalog.check_in_text import check_in_from_text, check_in_to_text

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
REQUIRED = CheckInPolicy(required=True)


def booking(minutes: int = 60, status: ReservationStatus = ReservationStatus.ACTIVE) -> Reservation:
    window = TimeRange(START, START + timedelta(minutes=minutes))
    return Reservation("r1", "room", "u1", window, status, START - timedelta(days=1))


def test_the_window_runs_around_the_start_but_never_past_the_end() -> None:
    window = window_of(REQUIRED, booking())
    assert (window.opens_at, window.closes_at) == (
        START - timedelta(minutes=15),
        START + timedelta(minutes=15),
    )
    short = window_of(REQUIRED, booking(minutes=10))
    assert short.closes_at == START + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("offset", "code"),
    [(-16, "check_in_not_open"), (15, "check_in_closed"), (30, "check_in_closed")],
)
def test_check_in_outside_the_window_is_refused_with_its_edges(offset: int, code: str) -> None:
    with pytest.raises(CheckInNotOpen) as refused:
        require_open(REQUIRED, booking(), START + timedelta(minutes=offset))
    assert refused.value.code == code
    assert set(refused.value.details) == {"opens_at", "closes_at"}


@pytest.mark.parametrize("offset", [-15, 0, 14])
def test_check_in_inside_the_window_is_allowed(offset: int) -> None:
    require_open(REQUIRED, booking(), START + timedelta(minutes=offset))


def test_a_no_show_is_a_required_active_booking_whose_window_closed() -> None:
    closed = START + timedelta(minutes=15)
    assert is_no_show(REQUIRED, booking(), closed)
    assert not is_no_show(REQUIRED, booking(), closed - timedelta(seconds=1))
    assert not is_no_show(NO_CHECK_IN, booking(), closed)
    for status in (ReservationStatus.CHECKED_IN, ReservationStatus.CANCELLED):
        assert not is_no_show(REQUIRED, booking(status=status), closed)


def test_strikes_count_only_when_set() -> None:
    assert not strikes_reached(REQUIRED, 5)
    two = replace(REQUIRED, no_show_strikes=2)
    assert not strikes_reached(two, 1)
    assert strikes_reached(two, 2)


def test_a_signed_link_names_its_subject_until_it_expires() -> None:
    links = SignedLinks("secret", "check-in")
    token = links.issue("01HZZZZZZZZZZZZZZZZZZZZZZZ", START)
    assert len(token) < 70  # fits a path segment and a small QR code
    assert links.read(token, START - timedelta(seconds=1)) == "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    with pytest.raises(Gone):
        links.read(token, START)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(t.split(".")[0], "01HOTHERRESERVATION0000000"),
        lambda t: ".".join([*t.split(".")[:2], "A" * 22]),
        lambda t: t.split(".")[0] + ".zzzzzzzz." + t.split(".")[2],  # a later expiry
        lambda t: t + ".x",
        lambda t: "x" * 200,
        lambda t: "",
    ],
)
def test_a_tampered_link_is_not_valid(tamper: object) -> None:
    links = SignedLinks("secret", "check-in")
    token = links.issue("01HZZZZZZZZZZZZZZZZZZZZZZZ", START)
    with pytest.raises(NotFound):
        links.read(tamper(token), START - timedelta(hours=1))  # type: ignore[operator]


def test_a_link_is_bound_to_its_purpose_and_its_secret() -> None:
    token = SignedLinks("secret", "check-in").issue("r1", START)
    for other in (SignedLinks("secret", "approval"), SignedLinks("other", "check-in")):
        with pytest.raises(NotFound):
            other.read(token, START - timedelta(hours=1))
    with pytest.raises(ValueError, match="subject"):
        SignedLinks("secret", "check-in").issue("a.b", START)


def test_the_stored_setting_round_trips_and_absent_means_none() -> None:
    policy = CheckInPolicy(True, timedelta(minutes=5), timedelta(minutes=30), 3)
    assert check_in_from_text(check_in_to_text(policy)) == policy
    assert check_in_to_text(NO_CHECK_IN) is None
    assert check_in_from_text(None) == NO_CHECK_IN
