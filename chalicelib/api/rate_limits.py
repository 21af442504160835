"""Rate limiting at the HTTP edge: which routes are in a stricter class, the metering of one
request, and the `X-RateLimit-*` headers every answer carries (docs/rate-limits.md).

Every answer is charged exactly once: to the verified principal when verification got that
far, otherwise (anonymous route, no or bad credential, a body refused before it) to the
client address. Should the counter table fail, the request passes unlimited and the failure
is logged: an outage of the limiter must not become an outage of the API (API Gateway's
stage throttling still stands in front).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import Response

from chalicelib import wiring
from chalicelib.api import errors
from chalicelib.domain.principal import Principal
from chalicelib.domain.ratelimits.windows import LimitState
from chalicelib.observability import logger
from chalicelib.services.ratelimits.limiter import RateLimited

LIMIT_HEADER = "X-RateLimit-Limit"
HEADERS = (LIMIT_HEADER, "X-RateLimit-Remaining", "X-RateLimit-Reset")

# (method, path) -> route class (policy.DEFAULT_CLASSES); a test checks each route exists.
ROUTE_CLASSES: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("POST", "/api/v1/token"): "auth",
        ("POST", "/api/v1/token/refresh"): "auth",
        ("POST", "/api/v1/register"): "auth",
        ("POST", "/api/v1/setup/initialize"): "auth",
        ("POST", "/api/v1/oauth/token"): "auth",
        ("POST", "/api/v1/users/me/password"): "auth",
        ("POST", "/api/v1/auth/admin/reset-password"): "auth",
        ("POST", "/api/v1/auth/mfa/disable"): "auth",
        ("POST", "/api/v1/auth/mfa/backup-codes"): "auth",
        ("POST", "/api/v1/auth/verify-email"): "auth",
        ("POST", "/api/v1/users/me/email/verification"): "auth",
        ("POST", "/api/v1/webhooks/{webhook_id}/test"): "webhook_test",
        ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): (
            "webhook_test"
        ),
        ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): "webhook_test",
        ("POST", "/api/v1/resources/upload"): "upload",
        ("POST", "/api/v1/reservations/recurring"): "bulk",
        ("POST", "/api/v1/reservations/bulk"): "bulk",
        ("POST", "/api/v1/reservations/bulk/cancel"): "bulk",
    }
)


def route_class(method: str, path: str) -> str | None:
    return ROUTE_CLASSES.get((method, path))


def headers_for(state: LimitState) -> dict[str, str]:
    limit, remaining, reset = HEADERS
    return {
        limit: str(state.limit),
        remaining: str(state.remaining),
        reset: str(state.reset_at),  # epoch seconds, as GitHub's; Retry-After is the delta
    }


class Metering:
    """One request's charge: `charge` once the caller is known, `finish` on the answer."""

    def __init__(self, route_class: str | None) -> None:
        self.route_class = route_class
        self.client_ip = ""
        self.state: LimitState | None = None
        self.charged = False

    def charge(self, principal: Principal | None) -> None:
        """Count the request; raises RateLimited (a 429) when the caller's bucket is spent."""
        if self.charged:
            return
        self.charged = True
        limiter = wiring.rate_limiter()
        if limiter is None:
            return
        try:
            self.state = limiter.charge(self.route_class, principal, self.client_ip)
        except RateLimited as exc:
            self.state = exc.state
            raise
        except (BotoCoreError, ClientError):
            logger.warning("rate-limit counter unavailable; request not limited", exc_info=True)

    def finish(self, response: Response) -> Response:
        """Charge the address if nothing was charged yet, and stamp the headers."""
        if not self.charged:
            try:
                self.charge(None)
            except RateLimited as exc:
                response = errors.from_domain_error(exc)
        if self.state is not None:
            response.headers.update(headers_for(self.state))
        return response
