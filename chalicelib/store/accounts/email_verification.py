"""The email-verification columns of the user item: each change is one guarded write.

The conditions carry the rules: a link is issued only for the address it names and only if
the previous one was sent long enough ago; a confirmation lands only while the item still
holds that address and that nonce, so a link works once, and never for a changed address.
"""

from __future__ import annotations

from chalicelib.domain.accounts.email_verification import PendingVerification
from chalicelib.store.accounts.users import (
    UserItem,
    UserStore,
    no_pending_actions,
    pending_actions,
)


class UserEmailStore(UserStore):
    def issue(self, user_id: str, email: str, pending: PendingVerification, *, cutoff: int) -> bool:
        """A new link for `email`, unless it is verified already or the last link was sent
        after `cutoff` (epoch seconds). False when refused."""
        sent_long_ago = UserItem.email_verify_sent_at.does_not_exist() | (
            UserItem.email_verify_sent_at <= cutoff
        )
        unverified = UserItem.email_verified.does_not_exist() | (
            UserItem.email_verified == False  # noqa: E712 (builds a DynamoDB condition)
        )
        return self.try_update(
            user_id,
            pending_actions(pending),
            (UserItem.email == email) & unverified & sent_long_ago,
        )

    def confirm(self, user_id: str, email: str, nonce: str) -> bool:
        """Mark `email` verified and spend the nonce; False if either changed meanwhile."""
        return self.try_update(
            user_id,
            [UserItem.email_verified.set(True), *no_pending_actions()],
            (UserItem.email == email) & (UserItem.email_verify_nonce == nonce),
        )

    def mark_verified(self, user_id: str) -> None:
        """Trusted callers only (test factories, data migrations): no route reaches it."""
        self.update(user_id, [UserItem.email_verified.set(True), *no_pending_actions()])
