"""The limiter: picks the caller's bucket and limit, counts the request, says if it may pass.

One counter call per request (the port's `hit`), whatever the outcome: the whole cost of
rate limiting is one DynamoDB round trip (tests/integration/test_booking_round_trips.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import TooManyRequests
from chalicelib.domain.principal import Principal
from chalicelib.domain.ratelimits.policy import GENERAL, RatePolicy
from chalicelib.domain.ratelimits.windows import (
    LimitState,
    Window,
    bucket_key,
    identity_of,
    window_at,
)


class RateCounters(Protocol):
    def hit(self, bucket: str, window: Window) -> int: ...


class RateLimited(TooManyRequests):
    """429 rate_limited: the caller's bucket is spent until its window ends."""

    def __init__(self, state: LimitState, bucket: str, window_seconds: int) -> None:
        what = "requests" if bucket == GENERAL else f"'{bucket}' requests"
        super().__init__(
            f"too many {what}: at most {state.limit} per {window_seconds} s; "
            f"try again in {state.retry_after} s",
            retry_after=state.retry_after,
            code="rate_limited",
        )
        self.state = state
        self.details = {
            "retry_after": state.retry_after,
            "limit": state.limit,
            "window_seconds": window_seconds,
            "route_class": bucket,
            "reset_at": datetime.fromtimestamp(state.reset_at, UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }


class RateLimiter:
    def __init__(self, counters: RateCounters, clock: Clock, policy: RatePolicy) -> None:
        self._counters = counters
        self._clock = clock
        self._policy = policy

    def charge(
        self, route_class: str | None, principal: Principal | None, client_ip: str
    ) -> LimitState:
        """Count this request; raise RateLimited (carrying the state) when it is over."""
        limit = self._policy.limit_for(route_class, principal)
        bucket = route_class or GENERAL
        key = bucket_key(identity_of(principal, client_ip), bucket)
        now = self._clock.now().timestamp()
        window = window_at(now, limit.window_seconds, key)
        state = LimitState(limit.requests, self._counters.hit(key, window), window.end, now)
        if not state.allowed:
            raise RateLimited(state, bucket, limit.window_seconds)
        return state
