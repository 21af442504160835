"""One-click approve / reject from the approver's email (issue 10).

A link carries a token signed with the app's secret (HMAC-SHA256) naming the request, its
step, the approver and an expiry. It never acts on a GET: the GET shows the request with two
buttons; the POST acts, once (the token's nonce is claimed in DynamoDB), and only if the
named user is STILL an approver of the request's current step, that step is still the one
the link was made for, and the user's account is enabled. Possessing the email stands in for
signing in; everything else is checked as for `POST /approvals/{id}/respond`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Forbidden, Gone, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations.approvals import Verdict
from chalicelib.services.reservations.approvals import ApprovalService, RequestView

_PURPOSE = b"approval-link:"


@dataclass(frozen=True)
class LinkClaim:
    reservation_id: str
    step: int
    user_id: str
    expires_at: datetime
    nonce: str


class ApprovalLinks:
    def __init__(
        self,
        secret: str,
        clock: Clock,
        *,
        approvals: ApprovalService,
        principal_of: Callable[[str], Principal | None],
        claim: Callable[[str, datetime], bool],
        valid_hours: int = 72,
    ) -> None:
        self._key = hashlib.sha256(_PURPOSE + secret.encode()).digest()
        self._clock = clock
        self._approvals = approvals
        self._principal_of = principal_of
        self._claim = claim
        self._hours = valid_hours

    def make(self, reservation_id: str, step: int, user_id: str) -> str:
        """`<request>.<step>.<user>.<expiry>.<nonce>.<mac>`: short enough for a URL path."""
        expires = int((self._clock.now() + timedelta(hours=self._hours)).timestamp())
        body = f"{reservation_id}.{step}.{user_id}.{expires}.{secrets.token_urlsafe(8)}"
        return f"{body}.{self._sign(body)}"

    def read(self, token: str) -> LinkClaim:
        """The link's claim; 404 for anything forged or malformed, 410 once expired."""
        body, _, signature = token.rpartition(".")
        if not body or not hmac.compare_digest(signature, self._sign(body)):
            raise _bad_link()
        parts = body.split(".")
        if len(parts) != 5:
            raise _bad_link()
        try:
            expires = datetime.fromtimestamp(int(parts[3]), tz=UTC)
            claim = LinkClaim(parts[0], int(parts[1]), parts[2], expires, parts[4])
        except ValueError as exc:
            raise _bad_link() from exc
        if claim.expires_at <= self._clock.now():
            raise Gone("this approval link has expired; use the app", code="link_expired")
        return claim

    def show(self, token: str) -> tuple[LinkClaim, RequestView]:
        """What the GET page shows (nothing is changed)."""
        claim = self.read(token)
        return claim, self._approvals.get(self._approver(claim), claim.reservation_id)

    def act(self, token: str, verdict: Verdict, message: str) -> RequestView:
        claim = self.read(token)
        principal = self._approver(claim)
        view = self._approvals.get(principal, claim.reservation_id)
        if not self._claim(claim.nonce, claim.expires_at):
            raise Gone("this approval link was already used", code="link_used")
        del view  # read first so an unknown request is a 404 before the link is spent
        return self._approvals.respond(
            principal, claim.reservation_id, verdict, message, expected_step=claim.step
        )

    def _approver(self, claim: LinkClaim) -> Principal:
        principal = self._principal_of(claim.user_id)
        if principal is None:
            raise Forbidden("this account cannot act on approvals", code="not_an_approver")
        return principal

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:16])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _bad_link() -> NotFound:
    return NotFound("this approval link is not valid", code="link_invalid")
