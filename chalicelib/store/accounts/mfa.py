"""The MFA columns of the user item: every change is one guarded write (the service decides
what to change, these methods say under which condition)."""

from __future__ import annotations

from typing import Any

from chalicelib.store.accounts.users import UserItem, UserStore


class UserMfaStore(UserStore):
    def start_mfa(self, user_id: str, sealed_secret: str, code_hashes: set[str]) -> None:
        """Store a pending seed and pending backup codes (MFA stays off until confirmed)."""
        self.update(
            user_id,
            [
                UserItem.mfa_pending_secret.set(sealed_secret),
                UserItem.mfa_pending_codes.set(code_hashes),
            ],
        )

    def pending_mfa_secret(self, user_id: str) -> str | None:
        item = self.get_item(user_id)
        return None if item is None else item.mfa_pending_secret

    def enable_mfa(self, user_id: str, sealed_secret: str, step: int) -> bool:
        """Turn the pending seed and codes into the live ones, only if the pending seed is
        still `sealed_secret` (a concurrent setup cannot be enabled blind)."""
        item = self.get_item(user_id)
        if item is None or item.mfa_pending_secret != sealed_secret:
            return False
        return self.try_update(
            user_id,
            [
                UserItem.mfa_enabled.set(True),
                UserItem.mfa_secret.set(sealed_secret),
                UserItem.backup_codes.set(item.mfa_pending_codes),
                UserItem.totp_last_step.set(step),
                UserItem.mfa_pending_secret.remove(),
                UserItem.mfa_pending_codes.remove(),
            ],
            (UserItem.mfa_pending_secret == sealed_secret) & _same_codes(item.mfa_pending_codes),
        )

    def disable_mfa(self, user_id: str) -> None:
        self.update(
            user_id,
            [
                UserItem.mfa_enabled.set(False),
                UserItem.mfa_secret.remove(),
                UserItem.backup_codes.remove(),
                UserItem.totp_last_step.remove(),
            ],
        )

    def replace_backup_codes(self, user_id: str, code_hashes: set[str]) -> None:
        self.update(user_id, [UserItem.backup_codes.set(code_hashes)])

    def use_backup_code(self, user_id: str, code_hash: str) -> bool:
        """Consume one backup code; of two concurrent uses exactly one succeeds."""
        return self.try_update(
            user_id,
            [UserItem.backup_codes.delete({code_hash})],
            UserItem.backup_codes.contains(code_hash),
        )

    def accept_totp_step(self, user_id: str, step: int) -> bool:
        """Record `step` as used, only if it is later than the last one (a replay guard)."""
        return self.try_update(
            user_id,
            [UserItem.totp_last_step.set(step)],
            UserItem.totp_last_step.does_not_exist() | (UserItem.totp_last_step < step),
        )


def _same_codes(codes: set[str] | None) -> Any:
    """The pending backup codes are still the ones read (or still absent)."""
    if not codes:
        return UserItem.mfa_pending_codes.does_not_exist()
    return UserItem.mfa_pending_codes == codes
