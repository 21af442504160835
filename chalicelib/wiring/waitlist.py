"""Waitlist: the queue's reads and joins, and the offers (worker, accept/decline, expiry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import clock, cursors, ids
from chalicelib.wiring.reservations import booking_writer

if TYPE_CHECKING:
    from chalicelib.services.waitlist.entries import WaitlistService
    from chalicelib.services.waitlist.fit import Fit
    from chalicelib.services.waitlist.offers import OfferService


def _fit() -> Fit:
    from chalicelib.services.waitlist.fit import Fit
    from chalicelib.store.reservations.repository import ReservationStore

    return Fit(resource_store(), ReservationStore())


def waitlist() -> WaitlistService:
    from chalicelib.services.waitlist.entries import WaitlistService
    from chalicelib.store.waitlist.repository import WaitlistStore
    from chalicelib.wiring.quotas import quota_gate

    return WaitlistService(
        WaitlistStore(),
        resource_store(),
        _fit(),
        clock=clock(),
        ids=ids(),
        cursors=cursors(),
        quotas=quota_gate(),  # issue 13: waitlist quota rules
    )


def waitlist_offers() -> OfferService:
    from chalicelib.services.waitlist.offers import OfferService
    from chalicelib.store.reservations.repository import ReservationStore
    from chalicelib.store.waitlist.repository import WaitlistStore

    return OfferService(
        entries=WaitlistStore(),
        holds=ReservationStore(),
        writer=booking_writer(),
        catalog=resource_store(),
        fit=_fit(),
        reads=waitlist(),
        clock=clock(),
        ids=ids(),
    )
