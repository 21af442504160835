"""Check-in: a resource's setting, a reservation's check-in state, no-show counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.catalog.check_in_policy import STRIKES_MAX, WINDOW_EDGE_MAX, CheckInPolicy
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.domain.reservations.check_in import NoShowCount
from chalicelib.services.reservations.check_in import CheckInView
from chalicelib.services.reservations.check_in_links import CheckInLinks

_EDGE_MAX_MINUTES = int(WINDOW_EDGE_MAX.total_seconds() // 60)


class CheckInPolicyIn(Strict):
    """The whole setting (omitted fields take their defaults)."""

    required: bool = Field(description="holders must check in, or the slot is released")
    opens_before_minutes: int = Field(default=15, ge=0, le=_EDGE_MAX_MINUTES)
    closes_after_minutes: int = Field(default=15, ge=0, le=_EDGE_MAX_MINUTES)
    no_show_strikes: int = Field(
        default=0,
        ge=0,
        le=STRIKES_MAX,
        description="after this many no-shows in a series, its remaining occurrences are "
        "cancelled (0: never)",
    )

    def to_domain(self) -> CheckInPolicy:
        return CheckInPolicy(
            required=self.required,
            opens_before=timedelta(minutes=self.opens_before_minutes),
            closes_after=timedelta(minutes=self.closes_after_minutes),
            no_show_strikes=self.no_show_strikes,
        )


class CheckInPolicyOut(BaseModel):
    required: bool
    opens_before_minutes: int
    closes_after_minutes: int
    no_show_strikes: int

    @classmethod
    def from_domain(cls, policy: CheckInPolicy) -> CheckInPolicyOut:
        return cls(
            required=policy.required,
            opens_before_minutes=int(policy.opens_before.total_seconds() // 60),
            closes_after_minutes=int(policy.closes_after.total_seconds() // 60),
            no_show_strikes=policy.no_show_strikes,
        )


class CheckInOut(BaseModel):
    """A reservation's check-in state. `check_in_path` (the signed link, QR-ready) is there
    while the reservation can still be checked in."""

    reservation_id: str
    resource_id: str
    resource_name: str
    start_time: UtcDatetime
    end_time: UtcDatetime
    status: ReservationStatus
    required: bool
    opens_at: UtcDatetime
    closes_at: UtcDatetime
    checked_in: bool
    check_in_path: str | None
    check_in_url: str | None = Field(
        None, description="the signed link as a person opens it (the API's public URL)"
    )
    check_in_qr: str | None = Field(
        None, description="a PNG data URI of the QR code of `check_in_url` (the owner's view)"
    )

    @classmethod
    def from_view(
        cls, view: CheckInView, links: CheckInLinks, *, with_qr: bool = False
    ) -> CheckInOut:
        token = view.token
        r = view.reservation
        return cls(
            reservation_id=r.reservation_id,
            resource_id=r.resource_id,
            resource_name=view.resource_name,
            start_time=r.window.start,
            end_time=r.window.end,
            status=r.status,
            required=view.policy.required,
            opens_at=view.window.opens_at,
            closes_at=view.window.closes_at,
            checked_in=view.checked_in,
            check_in_path=links.path(token) if token else None,
            check_in_url=links.url(token) if token else None,
            check_in_qr=links.qr(token) if token and with_qr else None,
        )


class NoShowCountOut(BaseModel):
    user_id: str
    resource_id: str
    no_shows: int
    last_at: datetime | None

    @classmethod
    def from_domain(cls, count: NoShowCount) -> NoShowCountOut:
        return cls(
            user_id=count.user_id,
            resource_id=count.resource_id,
            no_shows=count.no_shows,
            last_at=count.last_at,
        )


class NoShowsOut(BaseModel):
    total: int
    by_resource: list[NoShowCountOut]

    @classmethod
    def of(cls, counts: list[NoShowCount]) -> NoShowsOut:
        return cls(
            total=sum(c.no_shows for c in counts),
            by_resource=[NoShowCountOut.from_domain(c) for c in counts],
        )
