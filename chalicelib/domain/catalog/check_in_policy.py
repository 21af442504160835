"""A resource's check-in setting: whether holders must check in, when, and how many missed
check-ins end a recurring series ("strikes"). Set by admins; read by check-in and the no-show
release job (domain/reservations/check_in.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# Bounds: a window edge of up to 4 hours either side of the start, up to 20 strikes.
WINDOW_EDGE_MAX = timedelta(hours=4)
STRIKES_MAX = 20


@dataclass(frozen=True)
class CheckInPolicy:
    required: bool = False
    opens_before: timedelta = timedelta(minutes=15)  # check-in opens this long before the start
    closes_after: timedelta = timedelta(minutes=15)  # ... and closes this long after it
    no_show_strikes: int = 0  # after this many no-shows the rest of a series is cancelled; 0 off


NO_CHECK_IN = CheckInPolicy()
