"""What the waitlist services need from storage (Protocols; production adapters named on
each, built in chalicelib/wiring/waitlist.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.reservations import Changed, Reservation, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.domain.waitlist.entries import WaitlistEntry
from chalicelib.domain.waitlist.matching import QueueSlot
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.writer import Booking


class Entries(Protocol):
    """Waitlist entries (store/waitlist/repository.py `WaitlistStore`)."""

    def get(self, entry_id: str) -> WaitlistEntry | None: ...

    def get_many(self, entry_ids: Sequence[str]) -> dict[str, WaitlistEntry]: ...

    def queue(self, resource_id: str) -> list[QueueSlot]: ...

    def for_user(
        self, user_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[WaitlistEntry], dict[str, Any] | None]: ...

    def lapsed_offers(self, now: datetime, *, limit: int = 100) -> list[str]: ...

    def join(
        self,
        resource_id: str,
        decide: Callable[[int, list[QueueSlot]], WaitlistEntry],
        quota_limits: Mapping[str, int] | None = None,
    ) -> WaitlistEntry: ...

    def change_items(self, before: WaitlistEntry, after: WaitlistEntry) -> list[Item]:
        """Opaque items that commit the entry's change inside a booking transaction."""
        ...

    def apply(self, before: WaitlistEntry, after: WaitlistEntry) -> WaitlistEntry: ...


class HoldWriter(Protocol):
    """The one booking writer (store/reservations/writer.py `BookingWriter`): an offer's hold
    is created, and accepted or released, in the same conditional transactions as any
    booking, with the entry's change as `extra` items."""

    def create(
        self,
        bookings: Sequence[Booking],
        *,
        extra: Sequence[Item] = (),
        known_versions: Mapping[str, Mapping[date, int | None]] | None = None,
    ) -> None: ...

    def apply(self, change: Changed, extra: Sequence[Item] = ()) -> Reservation: ...


class Holds(Protocol):
    """Reading reservations (store/reservations/repository.py `ReservationStore`)."""

    def get(self, reservation_id: str) -> Reservation | None: ...

    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]: ...


class Catalog(Protocol):
    """The resource catalogue (store/catalog/repository.py `ResourceStore`)."""

    def get(self, resource_id: str) -> Resource: ...

    def find(self, resource_id: str) -> Resource | None: ...

    def save(self, old: Resource, new: Resource) -> Resource: ...

    def hours_for(self, resource: Resource) -> BusinessHours | None: ...

    def blackouts_for(
        self, resource: Resource, start_date: date, end_date: date
    ) -> Sequence[Blackout]: ...
