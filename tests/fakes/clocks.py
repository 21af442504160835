"""A system clock that moves when a test's frozen clock moves.

Some times are stamped by others with the system clock (Powertools' idempotency
`expiration`). When a test lets time pass by advancing its `FrozenClock`, the same time must
pass for those stamps too: this clock is the real system time plus however far the frozen
clock has moved since the test began.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.clock import Clock, FrozenClock, SystemClock


class FollowingWallClock:
    def __init__(self, frozen: FrozenClock, system: Clock | None = None) -> None:
        self._frozen = frozen
        self._system = system or SystemClock()
        self._frozen_start = frozen.now()

    def now(self) -> datetime:
        return self._system.now() + (self._frozen.now() - self._frozen_start)
