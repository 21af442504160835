"""Brute-force policy: failures in a sliding window, counted on three keys.

After `max_failures` failures, each further attempt must wait `base_delay * 2**extra`, capped
at `max_delay`: a progressive delay, never a hard lock. The strict limit is per (purpose,
username, client address), so an attacker elsewhere cannot lock the real user out (the old
product's per-username lockout could). Softer limits per username (many addresses guessing one
account) and per address (one address spraying many accounts) have higher thresholds and
short caps, so a distributed attack slows everyone's guesses without locking anyone out.
Addresses are grouped: IPv6 by /64 (one host usually holds the whole prefix).
"""

from __future__ import annotations

import hashlib
import ipaddress
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


@dataclass(frozen=True)
class AttemptLimits:
    """The three limits every secret check passes (sign-in, password change, MFA, setup)."""

    pair: LockoutPolicy = LockoutPolicy()
    per_username: LockoutPolicy = LockoutPolicy(
        max_failures=20, base_delay=timedelta(seconds=1), max_delay=timedelta(minutes=1)
    )
    per_address: LockoutPolicy = LockoutPolicy(
        max_failures=50, base_delay=timedelta(seconds=1), max_delay=timedelta(minutes=5)
    )


def address_group(client_ip: str) -> str:
    """The unit an address limit counts: the IPv4 address, or the IPv6 /64."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def attempt_key(username: str, client_ip: str, purpose: str = "login") -> str:
    """A compact, non-reversible key for the counter item (no raw address in keys)."""
    base = f"{username.lower()}|{address_group(client_ip)}"
    return _digest(base if purpose == "login" else f"{purpose}|{base}")


def username_key(username: str) -> str:
    return _digest(f"user|{username.lower()}")


def address_key(client_ip: str) -> str:
    return _digest(f"addr|{address_group(client_ip)}")
