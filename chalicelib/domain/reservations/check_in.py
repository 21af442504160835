"""Check-in rules (pure, injected time): when a reservation may be checked in, and when a
missed check-in makes it a no-show whose slot is released.

The window runs from `opens_before` ahead of the start to `closes_after` past it, but never
past the reservation's end (a 10-minute booking cannot be checked in after it ended).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.errors import Conflict
from chalicelib.domain.reservations.lifecycle import Reservation, ReservationStatus
from chalicelib.domain.timeutil import iso_z


@dataclass(frozen=True)
class NoShowCount:
    """How often `user_id` missed the check-in of `resource_id`, and when last."""

    user_id: str
    resource_id: str
    no_shows: int
    last_at: datetime | None


@dataclass(frozen=True)
class CheckInWindow:
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def window_of(policy: CheckInPolicy, reservation: Reservation) -> CheckInWindow:
    start, end = reservation.window.start, reservation.window.end
    return CheckInWindow(start - policy.opens_before, min(start + policy.closes_after, end))


class CheckInNotOpen(Conflict):
    """Too early, or too late, to check in."""

    def __init__(self, window: CheckInWindow, now: datetime) -> None:
        early = now < window.opens_at
        super().__init__(
            f"check-in opens at {iso_z(window.opens_at)}"
            if early
            else f"check-in closed at {iso_z(window.closes_at)}",
            code="check_in_not_open" if early else "check_in_closed",
            details={"opens_at": iso_z(window.opens_at), "closes_at": iso_z(window.closes_at)},
        )


def require_open(policy: CheckInPolicy, reservation: Reservation, now: datetime) -> None:
    """Check-in is possible inside the window (whether or not the resource requires it)."""
    window = window_of(policy, reservation)
    if not window.is_open(now):
        raise CheckInNotOpen(window, now)


def is_no_show(policy: CheckInPolicy, reservation: Reservation, now: datetime) -> bool:
    """Required, still not checked in, and the window has closed."""
    return (
        policy.required
        and reservation.status == ReservationStatus.ACTIVE
        and now >= window_of(policy, reservation).closes_at
    )


def strikes_reached(policy: CheckInPolicy, no_shows_in_series: int) -> bool:
    return policy.no_show_strikes > 0 and no_shows_in_series >= policy.no_show_strikes
