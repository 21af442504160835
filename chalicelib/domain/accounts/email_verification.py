"""Email verification (issue 9, finding 14): signed, expiring, single-use links (pure).

An address receives no mail and no calendar invitation until its owner proves they read it.
The user item holds one pending verification (a random nonce, its expiry and when it was
sent); the link carries `v1.<user id>.<nonce>.<expires at>.<mac>`, the MAC being HMAC-SHA256
over those fields AND the address, with a key derived from SECRET_KEY for this purpose only.
So a link is:
- signed: nobody without the key can make one (the nonce alone, were it ever seen, is useless);
- bound to the address: changing the address (a new nonce too) kills every older link;
- expiring: `expires_at` is inside the MAC and checked against the injected clock;
- single-use: confirming removes the nonce by a write conditioned on it still being there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.timeutil import epoch_seconds

LINK_LIFETIME = timedelta(hours=24)
# A resend within this interval is refused (429): the mail goes to a third party's inbox if
# the address is not the caller's, so it must not become a way to flood it.
RESEND_INTERVAL = timedelta(minutes=1)
_VERSION = "v1"


@dataclass(frozen=True)
class PendingVerification:
    nonce: str
    expires_at: int  # epoch seconds
    sent_at: int


@dataclass(frozen=True)
class VerificationClaim:
    user_id: str
    nonce: str
    expires_at: int
    mac: str


def verification_id(nonce: str) -> str:
    """A public name for one pending verification (events carry it, never the nonce): a
    stale event is recognised by it, and it tells nothing about the nonce."""
    return hashlib.sha256(f"verification-id:{nonce}".encode()).hexdigest()[:20]


def new_pending(now: datetime) -> PendingVerification:
    return PendingVerification(
        nonce=secrets.token_urlsafe(16),
        expires_at=epoch_seconds(now + LINK_LIFETIME),
        sent_at=epoch_seconds(now),
    )


def invalid_link() -> InvalidInput:
    return InvalidInput(
        "this verification link is not valid (already used, replaced by a newer one, or not a "
        "link we sent); ask for a new one",
        code="invalid_verification_token",
    )


class VerificationSigner:
    def __init__(self, secret_key: str) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"resource-reserver",
            info=b"email-verification",
        ).derive(secret_key.encode())

    def sign(self, user_id: str, email: str, pending: PendingVerification) -> str:
        fields = [_VERSION, user_id, pending.nonce, str(pending.expires_at)]
        return ".".join([*fields, self._mac(fields, email)])

    def parse(self, token: str) -> VerificationClaim:
        parts = token.strip().split(".")
        if len(parts) != 5 or parts[0] != _VERSION or not parts[3].isdigit():
            raise invalid_link()
        _, user_id, nonce, expires_at, mac = parts
        if not (0 < len(user_id) <= 64 and 0 < len(nonce) <= 64 and len(mac) <= 64):
            raise invalid_link()
        return VerificationClaim(user_id, nonce, int(expires_at), mac)

    def matches(self, claim: VerificationClaim, email: str) -> bool:
        fields = [_VERSION, claim.user_id, claim.nonce, str(claim.expires_at)]
        return hmac.compare_digest(self._mac(fields, email), claim.mac)

    def _mac(self, fields: list[str], email: str) -> str:
        message = "\n".join([*fields, email.lower()]).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
