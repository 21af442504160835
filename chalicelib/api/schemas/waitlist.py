"""Request/response models of the waitlist family."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Page, Strict, UtcDatetime
from chalicelib.api.schemas.reservations import ReservationOut, ResourceId
from chalicelib.domain.waitlist.entries import EntryStatus
from chalicelib.domain.waitlist.settings import WaitlistSettings
from chalicelib.services.waitlist.entries import EntryView, JoinRequest, QueueView

# --- requests -------------------------------------------------------------------------------


class WaitlistJoin(Strict):
    """Exact: wait for [start_time, end_time). Flexible: give `duration_minutes`, and any
    window that long inside [start_time, end_time) will do."""

    resource_id: ResourceId
    start_time: UtcDatetime
    end_time: UtcDatetime
    duration_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    within_hours: bool = Field(
        default=False,
        description="Flexible only: offer windows inside the resource's opening hours "
        "(the booking rules require it anyway where the resource has hours).",
    )
    auto_book: bool = Field(
        default=False, description="Book the freed window at once instead of offering it."
    )
    notes: str = Field(default="", max_length=1000)

    def to_request(self) -> JoinRequest:
        return JoinRequest(
            self.resource_id,
            self.start_time,
            self.end_time,
            self.duration_minutes,
            self.within_hours,
            self.auto_book,
            self.notes,
        )


class WaitlistSettingsIn(Strict):
    offer_ttl_minutes: float = Field(
        default=30,
        ge=0.05,
        le=7 * 24 * 60,
        description="How long an offer holds the freed window (fractions allowed: 0.5 = 30 s).",
    )
    enabled: bool = True

    def to_domain(self) -> WaitlistSettings:
        ttl = timedelta(seconds=round(self.offer_ttl_minutes * 60))
        return WaitlistSettings(offer_ttl=ttl, enabled=self.enabled)


# --- responses ------------------------------------------------------------------------------


class OfferOut(BaseModel):
    reservation_id: str = Field(description="the `held` reservation keeping the window for you")
    start_time: UtcDatetime
    end_time: UtcDatetime
    expires_at: UtcDatetime = Field(description="accept before this instant")


class EntryOut(BaseModel):
    entry_id: str
    resource_id: str
    user_id: str
    status: EntryStatus
    start_time: UtcDatetime
    end_time: UtcDatetime
    duration_minutes: int | None = Field(description="flexible wishes: the window's length")
    within_hours: bool
    auto_book: bool
    notes: str
    position: int | None = Field(description="1-based place in the resource's queue, if live")
    offer: OfferOut | None
    reservation_id: str | None = Field(description="the booking the entry became")
    reason: str | None = Field(description="why it was passed over or closed")
    created_at: UtcDatetime
    updated_at: UtcDatetime | None
    version: int

    @classmethod
    def of(cls, view: EntryView) -> EntryOut:
        e, offer = view.entry, view.entry.offer
        return cls(
            entry_id=e.entry_id,
            resource_id=e.resource_id,
            user_id=e.user_id,
            status=e.status,
            start_time=e.wish.span.start,
            end_time=e.wish.span.end,
            duration_minutes=int(e.wish.duration.total_seconds() // 60)
            if e.wish.duration
            else None,
            within_hours=e.wish.within_hours,
            auto_book=e.auto_book,
            notes=e.notes,
            position=view.position,
            offer=OfferOut(
                reservation_id=offer.reservation_id,
                start_time=offer.window.start,
                end_time=offer.window.end,
                expires_at=offer.expires_at,
            )
            if offer is not None
            else None,
            reservation_id=e.reservation_id,
            reason=e.reason or None,
            created_at=e.created_at,
            updated_at=e.updated_at,
            version=e.version,
        )


class EntryPage(Page[EntryOut]):
    pass


class AcceptOut(BaseModel):
    entry: EntryOut
    reservation: ReservationOut


class WaitlistSettingsOut(BaseModel):
    offer_ttl_minutes: float
    enabled: bool

    @classmethod
    def of(cls, settings: WaitlistSettings) -> WaitlistSettingsOut:
        return cls(
            offer_ttl_minutes=settings.offer_ttl.total_seconds() / 60, enabled=settings.enabled
        )


class QueueOut(BaseModel):
    """Everyone sees the counts (and their own places); administrators also see who waits."""

    resource_id: str
    waiting: int
    offered: int
    my_positions: list[int]
    settings: WaitlistSettingsOut
    entries: list[EntryOut] | None = Field(description="administrators only")

    @classmethod
    def of(cls, view: QueueView) -> QueueOut:
        return cls(
            resource_id=view.resource_id,
            waiting=view.waiting,
            offered=view.offered,
            my_positions=view.my_positions,
            settings=WaitlistSettingsOut.of(view.settings),
            entries=[EntryOut.of(v) for v in view.entries] if view.entries is not None else None,
        )
