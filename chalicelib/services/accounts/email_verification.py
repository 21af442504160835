"""Email verification (finding 14): (re)send a link, confirm it, and hand the email worker
the signed link of a pending verification.

Registration and an address change start a verification in the same write as the address
(`AccountService`); the stream turns the new nonce into `user.email_verification_requested`
and the email worker asks `mail_for` for the link, signing it only then: the token exists in
no table, no event and no log, only in the mail.
"""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.accounts.email_verification import (
    LINK_LIFETIME,
    RESEND_INTERVAL,
    VerificationSigner,
    invalid_link,
    new_pending,
    verification_id,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Gone, TooManyRequests
from chalicelib.domain.principal import Principal
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.services.pipeline.email import VerificationMail
from chalicelib.store.accounts.email_verification import UserEmailStore

# The page the link opens (served by the API: it shows a button, GET changes nothing).
CONFIRM_PATH = "/api/v1/auth/verify-email"


class EmailVerificationService:
    def __init__(
        self, users: UserEmailStore, signer: VerificationSigner, clock: Clock, api_url: str
    ) -> None:
        self._users = users
        self._signer = signer
        self._clock = clock
        self._api_url = api_url.rstrip("/")

    def resend(self, principal: Principal) -> User:
        """A new link for the caller's current address (the older links stop working)."""
        user = self._users.require(principal.subject_id)
        if not user.email:
            raise Conflict("your profile has no email address", code="no_email")
        if user.email_verified:
            raise Conflict("your email address is verified already", code="email_already_verified")
        now = self._clock.now()
        cutoff = epoch_seconds(now - RESEND_INTERVAL)
        if not self._users.issue(user.user_id, user.email, new_pending(now), cutoff=cutoff):
            wait = int(RESEND_INTERVAL.total_seconds())
            raise TooManyRequests(
                "a verification mail was sent a moment ago; check your inbox or try again soon",
                retry_after=wait,
                code="verification_recently_sent",
            )
        return self._users.require(user.user_id)

    def confirm(self, token: str) -> User:
        """Verify the address the link was made for, once; 422 for a link that is not (or no
        longer) valid, 410 for an expired one."""
        claim = self._signer.parse(token)
        user = self._users.get(claim.user_id)
        if user is None or not user.email or not self._signer.matches(claim, user.email):
            raise invalid_link()
        if claim.expires_at <= epoch_seconds(self._clock.now()):
            raise Gone(
                "this verification link has expired; ask for a new one",
                code="verification_link_expired",
            )
        if not self._users.confirm(user.user_id, user.email, claim.nonce):
            raise invalid_link()
        return self._users.require(user.user_id)

    def mail_for(self, user_id: str, announced: str) -> VerificationMail | None:
        """The link of the verification an event `announced`, or None when there is
        nothing (left) to verify or a newer link replaced it (its own event mails it)."""
        user = self._users.get(user_id)
        pending = None if user is None else user.email_verification
        if user is None or user.disabled or not user.email or pending is None:
            return None
        if verification_id(pending.nonce) != announced:
            return None
        if user.email_verified or pending.expires_at <= epoch_seconds(self._clock.now()):
            return None
        token = self._signer.sign(user.user_id, user.email, pending)
        return VerificationMail(
            address=user.email,
            username=user.username,
            link=f"{self._api_url}{CONFIRM_PATH}?token={quote(token, safe='')}",
            valid_hours=int(LINK_LIFETIME.total_seconds() // 3600),
        )
