"""Bucket keys and fixed-window arithmetic.

Fixed windows, not a sliding-window approximation: each (bucket, window) is its own counter
item, so one UpdateItem (ADD, returning the new count) both counts and decides, and a new
window is a new item (no reset write, no read of the previous window, TTL only tidies up).
`X-RateLimit-Reset` and `Retry-After` are then exact, and a refused request, which is
counted too, can never push the block past the window's end. The price is the known edge
burst (up to twice the limit across a window boundary); API Gateway's stage throttling in
front smooths bursts, and the strict route classes are small. Windows are offset per bucket
(a stable hash of its key) so callers do not all reset on the same second.

Addresses are grouped like the attempt gate's (IPv4 by address, IPv6 by /64) and hashed, so
no raw address is stored in a key.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from chalicelib.domain.accounts.lockout import address_group
from chalicelib.domain.principal import Principal


@dataclass(frozen=True)
class Window:
    start: int  # epoch seconds
    end: int


@dataclass(frozen=True)
class LimitState:
    """What the answer tells the caller about its bucket."""

    limit: int
    used: int
    reset_at: int  # epoch seconds: when the window ends
    now: float

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - self.now))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def identity_of(principal: Principal | None, client_ip: str) -> str:
    """Who is counted: the verified user or client, else the address group."""
    if principal is None:
        return f"addr|{address_group(client_ip)}"
    kind = "client" if principal.is_client else "user"
    return f"{kind}|{principal.subject_id}"


def bucket_key(identity: str, route_class: str) -> str:
    return f"{_digest(identity)}|{route_class}"


def window_at(now: float, seconds: int, key: str) -> Window:
    """The fixed window holding `now`, shifted by a per-key offset in [0, seconds)."""
    offset = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % seconds
    start = math.floor((now - offset) / seconds) * seconds + offset
    return Window(start, start + seconds)


def client_address(source_ip: str, forwarded_for: str, trusted_hops: int) -> str:
    """The caller's address. API Gateway's `sourceIp` is the peer it saw and cannot be forged;
    `X-Forwarded-For` can, so it is read only when the operator says `trusted_hops` proxies of
    ours (a CDN, a load balancer) stand in front: the address the outermost of them saw."""
    if trusted_hops <= 0 or not forwarded_for:
        return source_ip
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if hops and hops[-1] == source_ip:
        hops.pop()  # API Gateway appends the peer it saw itself
    if len(hops) < trusted_hops:
        return source_ip  # fewer proxies than promised: the header is not ours to believe
    return hops[-trusted_hops]
