"""The gate in front of every secret check: an attempt is counted before the secret is.

Sign-in, password change, MFA disable, backup-code renewal and first-run setup all call
`AttemptGate.reserve(purpose, username, client_ip)` BEFORE they verify anything (issue 9,
finding 3). It reserves the attempt on three counters, each by a conditional write (see
store/accounts/login_attempts.py): per (purpose, username, address), per username, per address.
If any refuses, the ones already reserved are refunded and the caller gets 429
too_many_attempts with Retry-After. On success the pair counter is cleared and the soft ones
refunded, so a user's own good sign-in never counts against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.accounts.lockout import (
    AttemptLimits,
    LockoutPolicy,
    address_key,
    attempt_key,
    username_key,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import TooManyRequests
from chalicelib.store.accounts.login_attempts import LoginAttemptStore


@dataclass
class Reservation:
    """The counters one attempt holds; tell it how the check went."""

    store: LoginAttemptStore
    pair: str
    soft: list[str]

    def succeeded(self) -> None:
        self.store.clear(self.pair)
        for key in self.soft:
            self.store.refund(key)

    def not_counted(self) -> None:
        """The attempt was not a guess (e.g. the second factor was merely missing)."""
        for key in (self.pair, *self.soft):
            self.store.refund(key)


class AttemptGate:
    def __init__(self, store: LoginAttemptStore, clock: Clock, limits: AttemptLimits) -> None:
        self._store = store
        self._clock = clock
        self._limits = limits

    def reserve(self, purpose: str, username: str, client_ip: str) -> Reservation:
        now = self._clock.now()
        # The strict counter first: a guess it refuses never touches the shared soft counters
        # (so it cannot push the victim's per-username delay), and the block a refund may
        # leave behind stays on the guesser's own (username, address) counter.
        wanted: list[tuple[str, LockoutPolicy]] = [
            (attempt_key(username, client_ip, purpose), self._limits.pair),
            (username_key(username), self._limits.per_username),
            (address_key(client_ip), self._limits.per_address),
        ]
        held: list[str] = []
        for key, policy in wanted:
            wait = self._store.reserve(key, now, policy)
            if wait > 0:
                for done in held:
                    self._store.refund(done)
                raise TooManyRequests(
                    "too many failed attempts; try again later",
                    retry_after=wait,
                    code="too_many_attempts",
                )
            held.append(key)
        return Reservation(self._store, held[0], held[1:])
