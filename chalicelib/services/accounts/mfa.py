"""TOTP MFA: setup, verification, disabling, backup codes, and the second factor at login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.accounts import mfa as rules
from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.accounts.passwords import PasswordHasher
from chalicelib.domain.accounts.secrets_box import DecryptionFailed, SecretBox
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, NotAuthenticated
from chalicelib.domain.principal import Principal
from chalicelib.store.accounts.mfa import UserMfaStore
from chalicelib.store.accounts.tokens import TokenStore

if TYPE_CHECKING:
    from chalicelib.services.accounts.attempts import AttemptGate


@dataclass(frozen=True)
class MfaEnrollment:
    secret: str
    otpauth_uri: str
    qr_png_data_uri: str
    backup_codes: list[str]


def _invalid_code() -> NotAuthenticated:
    return NotAuthenticated("the one-time code is not valid", code="invalid_otp")


class MfaService:
    def __init__(
        self,
        users: UserMfaStore,
        box: SecretBox,
        hasher: PasswordHasher,
        clock: Clock,
        issuer: str,
        *,
        gate: AttemptGate,
        sessions: TokenStore,
    ) -> None:
        self._gate = gate
        self._sessions = sessions
        self._users = users
        self._box = box
        self._hasher = hasher
        self._clock = clock
        self._issuer = issuer

    def start_setup(self, principal: Principal) -> MfaEnrollment:
        """A new pending seed and pending backup codes; MFA stays off until `verify`."""
        user = self._users.require(principal.subject_id)
        if user.mfa.enabled:
            raise Conflict("MFA is already enabled; disable it first", code="mfa_already_enabled")
        secret = rules.new_totp_secret()
        codes = rules.new_backup_codes()
        self._users.start_mfa(
            user.user_id,
            self._box.seal(secret, bound_to=user.user_id),
            {rules.hash_backup_code(c) for c in codes},
        )
        uri = rules.provisioning_uri(secret, user.username, self._issuer)
        # qrcode + pypng load on the first enrolment, not on every cold start of the API.
        from chalicelib.integrations.qr import png_data_uri

        return MfaEnrollment(secret, uri, png_data_uri(uri), codes)

    def verify_setup(self, principal: Principal, code: str) -> None:
        """Enable MFA with the pending seed once the user proves their app has it."""
        sealed = self._users.pending_mfa_secret(principal.subject_id)
        if sealed is None:
            raise Conflict("start MFA setup first", code="mfa_setup_not_started")
        secret = self._open(sealed, principal.subject_id)
        step = rules.matching_step(secret, code, self._clock.now())
        if step is None:
            raise _invalid_code()
        # Guarded on the pending seed we checked, so a concurrent setup cannot be enabled blind.
        enabled = self._users.enable_mfa(principal.subject_id, sealed, step)
        if not enabled:
            raise Conflict("MFA setup changed meanwhile; start again", code="mfa_setup_changed")
        self._end_other_sessions(principal)

    def disable(self, principal: Principal, password: str, code: str) -> None:
        user = self._users.require(principal.subject_id)
        if not user.mfa.enabled:
            raise Conflict("MFA is not enabled", code="mfa_not_enabled")
        attempt = self._gate.reserve("mfa", user.username, principal.client_ip)
        if not self._hasher.verify(user.password_hash, password):
            raise NotAuthenticated("the password is not correct", code="invalid_credentials")
        if not self.check_second_factor(user, code):
            raise _invalid_code()
        attempt.succeeded()
        self._users.disable_mfa(user.user_id)
        self._end_other_sessions(principal)

    def _end_other_sessions(self, principal: Principal) -> None:
        """A second factor turned on or off changes who can be signed in: every other session
        (refresh and access tokens, through their `sid`) ends; this one goes on."""
        self._sessions.revoke_all_families(
            principal.subject_id, self._clock.now(), keep=principal.session_id
        )

    def regenerate_backup_codes(self, principal: Principal, code: str) -> list[str]:
        user = self._users.require(principal.subject_id)
        if not user.mfa.enabled:
            raise Conflict("MFA is not enabled", code="mfa_not_enabled")
        # A stolen access token used to loop TOTP guesses here forever (finding 3).
        attempt = self._gate.reserve("mfa", user.username, principal.client_ip)
        if not self._accept_totp(user, code):
            raise _invalid_code()
        attempt.succeeded()
        codes = rules.new_backup_codes()
        self._users.replace_backup_codes(user.user_id, {rules.hash_backup_code(c) for c in codes})
        return codes

    def check_second_factor(self, user: User, code: str) -> bool:
        """A TOTP code for a fresh step, or an unused backup code (consumed atomically)."""
        if rules.is_totp_format(code.strip()):
            return self._accept_totp(user, code.strip())
        normalized = rules.normalize_backup_code(code)
        if normalized is None:
            return False
        digest = rules.hash_backup_code(normalized)
        # Consumed by a guarded write in the store: of two concurrent uses, exactly one wins.
        return self._users.use_backup_code(user.user_id, digest)

    def _accept_totp(self, user: User, code: str) -> bool:
        if user.mfa.secret_sealed is None:
            return False
        secret = self._open(user.mfa.secret_sealed, user.user_id)
        step = rules.matching_step(secret, code, self._clock.now())
        if step is None or not rules.step_is_fresh(step, user.mfa.last_step):
            return False
        # The replay guard is the condition, not the read above: a step is accepted once.
        return self._users.accept_totp_step(user.user_id, step)

    def _open(self, sealed: str, user_id: str) -> str:
        try:
            return self._box.open(sealed, bound_to=user_id)
        except DecryptionFailed as exc:
            # A key rotation without re-enrolment: refuse rather than lock the door open.
            raise _invalid_code() from exc
