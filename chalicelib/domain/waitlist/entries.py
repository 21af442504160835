"""A waitlist entry: one user waiting for one resource, for an exact window or for any window
of a given length inside a range (optionally only within opening hours).

Like the reservation (domain/reservations/lifecycle.py) an entry changes status only through
its methods, checked against ONE table; each returns the next version of the entry (the store
conditions its write on the version read):

```
waiting --offer--> offered --accept--> booked          waiting --auto_book--> booked
   ^                  |--decline--> declined            live --leave--> left
   |                  |--lapse--> lapsed (the offer ran out)
   +----skip----------+  (a rule failed at accept: back to waiting, with the reason)
live --expire--> expired (the wished window is over)
```

Closed entries (booked, declined, lapsed, left, expired) leave the resource's queue. Declining
or letting an offer lapse closes the entry: the next person gets the window, and the same
window is never offered to the same entry twice (join again to wait again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict
from chalicelib.domain.quotas.charge import QuotaCharge
from chalicelib.domain.reservations import TimeRange


class EntryStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    DECLINED = "declined"
    LAPSED = "lapsed"
    LEFT = "left"
    EXPIRED = "expired"


E = EntryStatus
LIVE = frozenset({E.WAITING, E.OFFERED})


class EntryChange(StrEnum):
    OFFER = "offer"
    ACCEPT = "accept"
    AUTO_BOOK = "auto_book"
    DECLINE = "decline"
    LAPSE = "lapse"
    SKIP = "skip"
    LEAVE = "leave"
    EXPIRE = "expire"


# THE table: change -> (statuses it may start from, the status it leads to).
ENTRY_CHANGES: Mapping[EntryChange, tuple[frozenset[EntryStatus], EntryStatus]] = {
    EntryChange.OFFER: (frozenset({E.WAITING}), E.OFFERED),
    EntryChange.ACCEPT: (frozenset({E.OFFERED}), E.BOOKED),
    EntryChange.AUTO_BOOK: (frozenset({E.WAITING}), E.BOOKED),
    EntryChange.DECLINE: (frozenset({E.OFFERED}), E.DECLINED),
    EntryChange.LAPSE: (frozenset({E.OFFERED}), E.LAPSED),
    EntryChange.SKIP: (LIVE, E.WAITING),
    EntryChange.LEAVE: (LIVE, E.LEFT),
    EntryChange.EXPIRE: (LIVE, E.EXPIRED),
}

_REFUSALS: Mapping[EntryChange, str] = {
    EntryChange.ACCEPT: "no_offer",
    EntryChange.DECLINE: "no_offer",
    EntryChange.LEAVE: "entry_closed",
}


class InvalidEntryChange(Conflict):
    """The entry's status does not allow this change (409)."""

    def __init__(self, status: EntryStatus, change: EntryChange) -> None:
        if _REFUSALS.get(change) == "no_offer":
            message = f"there is no open offer on this entry (it is {status.value})"
        else:
            message = f"a {status.value} waitlist entry cannot be changed by '{change.value}'"
        super().__init__(
            message,
            code=_REFUSALS.get(change, "invalid_entry_change"),
            details={"status": status.value, "change": change.value},
        )


@dataclass(frozen=True)
class Wish:
    """What the user waits for. Exact: `span` is the window. Flexible: any window lasting
    `duration` inside `span` (and inside opening hours if `within_hours`)."""

    span: TimeRange
    duration: timedelta | None = None
    within_hours: bool = False

    @property
    def flexible(self) -> bool:
        return self.duration is not None

    @property
    def length(self) -> timedelta:
        return self.duration if self.duration is not None else self.span.duration


@dataclass(frozen=True)
class Offer:
    """A freed window held for the entry (a `held` reservation) until `expires_at`."""

    reservation_id: str
    window: TimeRange
    expires_at: datetime


@dataclass(frozen=True)
class WaitlistEntry:
    entry_id: str
    resource_id: str
    user_id: str
    wish: Wish
    seq: int  # FIFO order within the resource's queue (1, 2, ...)
    created_at: datetime
    status: EntryStatus = E.WAITING
    auto_book: bool = False
    notes: str = ""
    offer: Offer | None = None
    reservation_id: str | None = None  # the booking it became
    reason: str = ""  # why it was skipped or closed, for the user to read
    updated_at: datetime | None = None
    version: int = 0
    # What joining charged on the owner's waitlist quota counters (issue 13): given back in
    # the version-guarded transition that closes the entry, so exactly once.
    quota_charges: tuple[QuotaCharge, ...] = ()

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def require(self, change: EntryChange) -> None:
        sources, _ = ENTRY_CHANGES[change]
        if self.status not in sources:
            raise InvalidEntryChange(self.status, change)

    def offered(self, offer: Offer, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.OFFER, at, offer=offer, reason="")

    def accepted(self, at: datetime) -> WaitlistEntry:
        rid = self.offer.reservation_id if self.offer else None
        return self._go(EntryChange.ACCEPT, at, reservation_id=rid)

    def auto_booked(self, reservation_id: str, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.AUTO_BOOK, at, reservation_id=reservation_id, reason="")

    def declined(self, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.DECLINE, at)

    def lapsed(self, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.LAPSE, at, reason="the offer was not accepted in time")

    def skipped(self, reason: str, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.SKIP, at, offer=None, reason=reason)

    def left(self, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.LEAVE, at)

    def expired(self, at: datetime) -> WaitlistEntry:
        return self._go(EntryChange.EXPIRE, at, reason="the wished time is over")

    def _go(self, change: EntryChange, at: datetime, **changes: object) -> WaitlistEntry:
        self.require(change)
        target = ENTRY_CHANGES[change][1]
        return replace(self, status=target, updated_at=at, version=self.version + 1, **changes)  # type: ignore[arg-type]
