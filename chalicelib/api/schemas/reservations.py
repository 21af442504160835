"""Request/response models of the reservations family."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from chalicelib.api.schemas.common import Page, PageQuery, Strict, UtcDatetime
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations import HistoryEntry, Reservation, ReservationStatus
from chalicelib.services.reservations.queries import ScheduleBlock, Schedules

_SPACED_OFFSET = re.compile(r"^(.*\d) (\d{2}:?\d{2})$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _restore_plus(value: Any) -> Any:
    """In a query string an unencoded '+02:00' arrives as ' 02:00': read it as meant."""
    if isinstance(value, str):
        match = _SPACED_OFFSET.match(value)
        if match:
            return f"{match.group(1)}+{match.group(2)}"
    return value


QueryDatetime = Annotated[UtcDatetime, BeforeValidator(_restore_plus)]
ResourceId = Annotated[str, Field(min_length=1, max_length=64)]
StatusFilter = ReservationStatus | Literal["any"]


def idempotency_key(header: str | None) -> str | None:
    """The Idempotency-Key header: 1-255 visible ASCII characters, or absent."""
    if header is None:
        return None
    if not _IDEMPOTENCY_KEY.match(header):
        raise InvalidInput(
            "Idempotency-Key must be 1-255 visible ASCII characters",
            code="invalid_idempotency_key",
        )
    return header


# --- requests -------------------------------------------------------------------------------


class ReservationCreate(Strict):
    resource_id: ResourceId
    start_time: UtcDatetime
    end_time: UtcDatetime
    notes: str = Field(default="", max_length=1000)
    override: bool = Field(
        default=False,
        description="Admins only: book outside business hours or on a blackout date.",
    )


class ReservationReschedule(Strict):
    start_time: UtcDatetime
    end_time: UtcDatetime
    resource_id: ResourceId | None = Field(
        default=None, description="Move to another resource (default: the same one)."
    )
    override: bool = False


class ReservationCancel(Strict):
    reason: str = Field(default="", max_length=500)


class MyReservationsQuery(PageQuery):
    """Default: occupying reservations (active, pending_approval, held) that have not ended,
    soonest first. `status` may repeat; `any` lists every status. `order=desc` with no window
    lists everything, latest first."""

    status: list[StatusFilter] = Field(default_factory=list)
    from_: QueryDatetime | None = Field(default=None, alias="from")
    to: QueryDatetime | None = None
    resource_id: ResourceId | None = None
    order: Literal["asc", "desc"] = "asc"


class AdminReservationsQuery(PageQuery):
    """Default: every status, from 30 days ago for one year (at most 366 days per query)."""

    status: list[StatusFilter] = Field(default_factory=list)
    from_: QueryDatetime | None = Field(default=None, alias="from")
    to: QueryDatetime | None = None
    resource_id: ResourceId | None = None
    user_id: str | None = Field(default=None, min_length=1, max_length=64)


class ScheduleQuery(PageQuery):
    """Default: from now for 7 days (at most 62 days per query)."""

    limit: int = Field(default=100, ge=1, le=100)
    from_: QueryDatetime | None = Field(default=None, alias="from")
    to: QueryDatetime | None = None


class SchedulesQuery(Strict):
    """Up to 200 resources (`ids` repeated) and a window of at most 14 days."""

    ids: list[ResourceId] = Field(
        min_length=1, max_length=200, description="Resource ids (repeat the parameter)."
    )
    from_: QueryDatetime = Field(alias="from")
    to: QueryDatetime


def statuses(values: list[StatusFilter]) -> frozenset[ReservationStatus]:
    """Empty means "the default of the listing"; `any` means every status."""
    if "any" in values:
        return frozenset(ReservationStatus)
    return frozenset(v for v in values if isinstance(v, ReservationStatus))


# --- responses ------------------------------------------------------------------------------


class ReservationOut(BaseModel):
    reservation_id: str
    resource_id: str
    user_id: str
    start_time: UtcDatetime
    end_time: UtcDatetime
    status: ReservationStatus
    notes: str
    series_id: str | None
    override_by: str | None
    cancellation_reason: str | None
    created_at: UtcDatetime
    version: int
    resource_name: str | None = Field(
        default=None,
        description="The resource's name, in listings (absent once the resource is deleted).",
    )

    @classmethod
    def from_domain(
        cls, reservation: Reservation, resource_name: str | None = None
    ) -> ReservationOut:
        return cls(
            reservation_id=reservation.reservation_id,
            resource_id=reservation.resource_id,
            user_id=reservation.user_id,
            start_time=reservation.window.start,
            end_time=reservation.window.end,
            status=reservation.status,
            notes=reservation.notes,
            series_id=reservation.series_id,
            override_by=reservation.override_by,
            cancellation_reason=reservation.cancel_reason or None,
            created_at=reservation.created_at,
            version=reservation.version,
            resource_name=resource_name,
        )


class ReservationPage(Page[ReservationOut]):
    pass


class HistoryEntryOut(BaseModel):
    at: UtcDatetime
    actor_id: str
    action: str
    reason: str
    details: dict[str, str]
    channel: str = Field(
        default="", description="web, cli, api or system; empty for entries written before it"
    )

    @classmethod
    def from_domain(cls, entry: HistoryEntry) -> HistoryEntryOut:
        return cls(
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            reason=entry.reason,
            details=dict(entry.details),
            channel=entry.channel,
        )


class HistoryPage(Page[HistoryEntryOut]):
    pass


class ScheduleBlockOut(BaseModel):
    """A busy block. Other users' blocks carry no reservation id, user or notes."""

    start_time: UtcDatetime
    end_time: UtcDatetime
    status: ReservationStatus
    mine: bool
    reservation_id: str | None = None
    user_id: str | None = None

    @classmethod
    def from_domain(cls, block: ScheduleBlock) -> ScheduleBlockOut:
        return cls(
            start_time=block.start_time,
            end_time=block.end_time,
            status=block.status,
            mine=block.mine,
            reservation_id=block.reservation_id,
            user_id=block.user_id,
        )


class SchedulePage(Page[ScheduleBlockOut]):
    pass


class ResourceScheduleOut(BaseModel):
    resource_id: str
    blocks: list[ScheduleBlockOut]
    complete: bool = Field(description="False: more blocks than the 200 shown (narrow the window).")


class SchedulesOut(BaseModel):
    schedules: list[ResourceScheduleOut]
    missing: list[str] = Field(description="Ids that name no resource.")

    @classmethod
    def from_domain(cls, found: Schedules) -> SchedulesOut:
        return cls(
            schedules=[
                ResourceScheduleOut(
                    resource_id=s.resource_id,
                    blocks=[ScheduleBlockOut.from_domain(b) for b in s.blocks],
                    complete=s.complete,
                )
                for s in found.schedules
            ],
            missing=found.missing,
        )
