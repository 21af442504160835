"""The reservation aggregate: the entity and its lifecycle, its time window.

Import from here; the modules inside say why each part is shaped as it is.
"""

from chalicelib.domain.reservations.lifecycle import (
    ACTIONS,
    OCCUPYING,
    SYSTEM,
    TRANSITIONS,
    Actor,
    Changed,
    HistoryEntry,
    InvalidTransition,
    Reservation,
    ReservationStatus,
    Transition,
    sources_of,
)
from chalicelib.domain.reservations.time_range import TimeRange

__all__ = [
    "ACTIONS",
    "OCCUPYING",
    "SYSTEM",
    "TRANSITIONS",
    "Actor",
    "Changed",
    "HistoryEntry",
    "InvalidTransition",
    "Reservation",
    "ReservationStatus",
    "TimeRange",
    "Transition",
    "sources_of",
]
