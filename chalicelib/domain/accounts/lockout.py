"""Brute-force policy: failures per (username, client address) in a sliding window.

After `max_failures` failures, each further attempt must wait `base_delay * 2**extra`, capped
at `max_delay`. Keying on the client address too means an attacker elsewhere cannot lock the
real user out (the old product's per-username lockout could).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)

    def delay_after(self, failures: int) -> timedelta:
        """How long to wait after the last failure, given the failures in the window."""
        if failures < self.max_failures:
            return timedelta(0)
        extra = min(failures - self.max_failures, 20)  # 2**20 already exceeds any cap
        delay: timedelta = self.base_delay * (2**extra)
        return min(delay, self.max_delay)

    def retry_after(self, failures: int, last_failure: datetime, now: datetime) -> int:
        """Seconds the caller must still wait (0: the attempt may proceed)."""
        remaining = last_failure + self.delay_after(failures) - now
        seconds = remaining.total_seconds()
        return max(0, math.ceil(seconds))

    def window_end(self, now: datetime) -> datetime:
        # The item must outlive the longest delay, or an expired item would lift the block.
        return now + max(self.window, self.max_delay)


def attempt_key(username: str, client_ip: str) -> str:
    """A compact, non-reversible key for the counter item (no raw address in keys)."""
    raw = f"{username.lower()}|{client_ip}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]
