"""Feed tokens: the secret in a calendar subscription URL.

Calendar apps cannot send a bearer token, so the URL itself is the credential. The store keeps
only a random nonce and the token's SHA-256 (the lookup key); the token is
HMAC-SHA256(app secret, owner + nonce), so the subscription URL can be shown again to its owner
without being stored, and a copy of the table alone yields no working URL. Regenerating draws a
new nonce: the old token's hash no longer matches anything and the old URL is dead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_CHARS = 43  # 256 bits, base64url without padding
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class FeedTokens:
    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"calendar-feed", hashlib.sha256).digest()

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def token(self, owner: str, nonce: str) -> str:
        digest = hmac.new(self._key, f"{owner}:{nonce}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:TOKEN_CHARS]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_TOKEN.match(token))


def same_token(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
