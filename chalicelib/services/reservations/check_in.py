"""Check-in: by the owner (or an admin) through the API/CLI/web, or through the reservation's
signed check-in link (QR-ready). Checking in twice is not an error: the second answer is the
reservation as it is (a double tap on a phone must not show a failure).

The link identifies the reservation and expires when its check-in window closes. Reading it
(GET) never acts; confirming it (POST) checks in. The link is only given to the owner and
admins (in the API, the web app and the owner's mail), so holding it is the proof, like a
password-reset link: a person at the room's door need not sign in on a borrowed phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound, TooManyRequests
from chalicelib.domain.principal import Principal, require_admin, visible_to
from chalicelib.domain.reservations import Actor, Reservation, ReservationStatus, Transition
from chalicelib.domain.reservations.check_in import (
    CheckInWindow,
    NoShowCount,
    require_open,
    window_of,
)
from chalicelib.domain.signed_links import SignedLinks
from chalicelib.services.reservations.ports import (
    ReservationReader,
    ReservationWriter,
    ResourceCatalog,
)
from chalicelib.store.reservations.booking_tx import StaleItem

ATTEMPTS = 3
LINK_ACTOR = Actor("check-in-link", "web")


@dataclass(frozen=True)
class CheckInView:
    reservation: Reservation
    resource_name: str
    policy: CheckInPolicy
    window: CheckInWindow
    token: str | None  # the check-in link's token while the reservation can still check in

    @property
    def checked_in(self) -> bool:
        return self.reservation.status in (
            ReservationStatus.CHECKED_IN,
            ReservationStatus.COMPLETED,
        )


class NoShowCounts(Protocol):
    """store/reservations/no_shows.py: counters kept with each no-show."""

    def for_user(self, user_id: str) -> list[NoShowCount]: ...

    def for_resource(self, resource_id: str) -> list[NoShowCount]: ...


class CheckInService:
    def __init__(
        self,
        reservations: ReservationReader,
        catalog: ResourceCatalog,
        writer: ReservationWriter,
        clock: Clock,
        *,
        links: SignedLinks,
        counts: NoShowCounts,
    ) -> None:
        self._reservations = reservations
        self._catalog = catalog
        self._writer = writer
        self._clock = clock
        self._links = links
        self._counts = counts

    def my_no_shows(self, principal: Principal) -> list[NoShowCount]:
        return self._counts.for_user(principal.subject_id)

    def resource_no_shows(self, principal: Principal, resource_id: str) -> list[NoShowCount]:
        """Who missed check-ins on one resource (admins: it names people)."""
        require_admin(principal)
        self._catalog.get(resource_id)  # 404 for an unknown resource
        return self._counts.for_resource(resource_id)

    def view(self, principal: Principal, reservation_id: str) -> CheckInView:
        return self._view(self._owned(principal, reservation_id))

    def check_in(self, principal: Principal, reservation_id: str) -> CheckInView:
        self._owned(principal, reservation_id)
        return self._check_in(reservation_id, Actor.of(principal))

    def view_link(self, token: str) -> CheckInView:
        return self._view(self._by_link(token))

    def check_in_link(self, token: str) -> CheckInView:
        return self._check_in(self._by_link(token).reservation_id, LINK_ACTOR)

    # --- shared -----------------------------------------------------------------------------

    def _check_in(self, reservation_id: str, actor: Actor) -> CheckInView:
        for _ in range(ATTEMPTS):
            current = self._get(reservation_id)
            if current.status == ReservationStatus.CHECKED_IN:
                return self._view(current)
            resource = self._catalog.get(current.resource_id)
            now = self._clock.now()
            current.require(Transition.CHECK_IN)
            require_open(resource.check_in, current, now)
            try:
                return self._view(self._writer.apply(current.check_in(actor, now)), resource)
            except StaleItem:
                continue  # changed meanwhile (released, cancelled, edited): decide again
        raise TooManyRequests(
            "the reservation keeps changing; retry", retry_after=1, code="booking_contention"
        )

    def _view(self, reservation: Reservation, resource: Resource | None = None) -> CheckInView:
        resource = resource or self._catalog.get(reservation.resource_id)
        window = window_of(resource.check_in, reservation)
        now = self._clock.now()
        token = None
        if reservation.status == ReservationStatus.ACTIVE and now < window.closes_at:
            token = self._links.issue(reservation.reservation_id, window.closes_at)
        return CheckInView(reservation, resource.name, resource.check_in, window, token)

    def _by_link(self, token: str) -> Reservation:
        return self._get(self._links.read(token, self._clock.now()))

    def _get(self, reservation_id: str) -> Reservation:
        found = self._reservations.get(reservation_id)
        if found is None:
            raise NotFound("no such reservation", code="reservation_not_found")
        return found

    def _owned(self, principal: Principal, reservation_id: str) -> Reservation:
        found = self._reservations.get(reservation_id)
        if found is None or not visible_to(found.user_id, principal):
            raise NotFound("no such reservation", code="reservation_not_found")
        return found
