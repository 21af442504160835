"""Who may see what of a reservation: owners and admins see it whole; everyone else sees that
a time is taken, never by whom (a 409's conflicts, a schedule's busy blocks)."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.booking_tx import Occupant


def visible_reservation(owner_id: str, principal: Principal) -> bool:
    return principal.is_admin or owner_id == principal.subject_id


def conflict_error(occupants: Sequence[Occupant], principal: Principal) -> Conflict:
    """The caller-safe 409: other users' reservations show only their times."""
    listed: list[dict[str, str]] = []
    for occupant in occupants:
        entry = {
            "start_time": iso_z(occupant.window.start),
            "end_time": iso_z(occupant.window.end),
        }
        if visible_reservation(occupant.user_id, principal):
            entry = {"reservation_id": occupant.reservation_id, **entry}
        listed.append(entry)
    return Conflict(
        "the resource is already booked for (part of) this time",
        code="reservation_conflict",
        details={"conflicts": listed},
    )
