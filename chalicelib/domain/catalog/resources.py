"""Resources (rooms, equipment, desks, vehicles) and the rules attached to them.

Shared vocabulary for the resource store, the booking rules and availability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from chalicelib.domain.catalog.approval import ApprovalSettings
from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.waitlist.settings import WaitlistSettings


class ResourceStatus(StrEnum):
    """Live status, computed on read (never written by a GET)."""

    AVAILABLE = "available"
    IN_USE = "in_use"
    MAINTENANCE = "maintenance"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Location:
    building: str = ""
    floor: str = ""
    room: str = ""


@dataclass(frozen=True)
class DayHours:
    """Opening hours for one weekday, local time in the resource's zone; closed if None."""

    opens: time
    closes: time


@dataclass(frozen=True)
class BusinessHours:
    """weekday (0 = Monday) -> hours; a weekday missing from the map is closed.

    `None` for the whole object means "always open".
    """

    days: dict[int, DayHours]


@dataclass(frozen=True)
class Blackout:
    """A closed date range [start_date, end_date] inclusive, in the resource's zone.

    `resource_id` None means global (applies to every resource).
    """

    blackout_id: str
    start_date: date
    end_date: date
    reason: str
    resource_id: str | None = None


@dataclass(frozen=True)
class Maintenance:
    started_at: datetime
    reason: str
    auto_reset_at: datetime | None  # None: until an admin ends it


@dataclass(frozen=True)
class BookingPolicy:
    min_duration: timedelta = timedelta(minutes=15)
    max_duration: timedelta = timedelta(hours=24)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    horizon: timedelta = timedelta(days=365)  # how far ahead a booking may start
    min_notice: timedelta = timedelta(0)  # how long before start a booking must be made


# Longest reservation any policy may allow; bounds the overlap query window in the store.
MAX_RESERVATION_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class Resource:
    resource_id: str
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    capacity: int = 1
    location: Location = field(default_factory=Location)
    timezone: str = "UTC"
    enabled: bool = True
    requires_approval: bool = False
    approvers: tuple[str, ...] = ()  # user ids
    # Approvals (issue 10): the chain, expiry and reminders; None: the legacy `approvers`.
    approval: ApprovalSettings | None = None
    policy: BookingPolicy = field(default_factory=BookingPolicy)
    business_hours: BusinessHours | None = None  # None: use the global default
    maintenance: Maintenance | None = None
    group_id: str | None = None
    labels: tuple[str, ...] = ()  # label ids (catalog14: labels)
    check_in: CheckInPolicy = field(default_factory=CheckInPolicy)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    # How many blackouts of its own (read with the resource on the booking path; None: not
    # known). Not part of the resource's state.
    own_blackouts: int | None = field(default=None, compare=False)
    # Waitlist: offer TTL and whether people may queue (domain/waitlist/settings.py).
    waitlist: WaitlistSettings = field(default_factory=WaitlistSettings)

    def in_maintenance(self, now: datetime) -> bool:
        m = self.maintenance
        return m is not None and (m.auto_reset_at is None or now < m.auto_reset_at)
