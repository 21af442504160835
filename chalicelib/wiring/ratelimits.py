"""API rate limits (issue 13): the limiter, or None when the setting turns limiting off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.settings import get_settings
from chalicelib.wiring.core import built, clock

if TYPE_CHECKING:
    from chalicelib.services.ratelimits.limiter import RateLimiter


@built
def rate_limiter() -> RateLimiter | None:
    from chalicelib.services.ratelimits.limiter import RateLimiter
    from chalicelib.store.ratelimits import RateCounterStore

    settings = get_settings()
    if not settings.rate_limit_enabled:
        return None
    counters = RateCounterStore(settings.rate_limit_table_name)
    return RateLimiter(counters, clock(), settings.rate_limit_policy())
