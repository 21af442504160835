"""Encrypt small secrets at rest (TOTP seeds): AES-256-GCM, key derived with HKDF.

The key is derived from SECRET_KEY with a purpose label, so the JWT key and this key differ,
and each ciphertext is bound to its owner through the associated data: a seed copied onto
another user's item does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_VERSION = "v1"


class DecryptionFailed(Exception):
    """The ciphertext was tampered with, moved, or made with another key."""


class SecretBox:
    def __init__(self, secret_key: str, *, purpose: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"resource-reserver",
            info=f"secret-box:{purpose}".encode(),
        ).derive(secret_key.encode())
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, bound_to: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), bound_to.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, *, bound_to: str) -> str:
        version, _, body = token.partition(".")
        if version != _VERSION:
            raise DecryptionFailed("unknown ciphertext version")
        try:
            raw = base64.urlsafe_b64decode(body)
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode())
        except (InvalidTag, ValueError) as exc:
            raise DecryptionFailed("the secret could not be decrypted") from exc
        return plain.decode()
