"""Attempt counters for secret checks (sign-in, ...), reserved atomically BEFORE the check.

Key: LOGINFAIL#<key> / LOGINFAIL, where the key is a hash (of username and address, ...).
Each attempt is counted as a failure up front by a write conditioned on the count it read
(`failures = :seen`, optimistic concurrency), which also sets `blocked_until`, the earliest
moment the next attempt may start. So N parallel guesses are serialised on the counter: each
gets its own count, and once the threshold is crossed the ones that follow see the block and
are refused without the secret ever being checked (issue 9, finding 3: 40 parallel wrong
passwords used to all reach the hash check, because every request read the same count).
A success clears the counter; an attempt that turns out not to count is refunded.
`expires_at` ends the window (TTL is lazy: an expired counter is read as empty).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.accounts.lockout import LockoutPolicy
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store.table import TableItem, bind

_SK = "LOGINFAIL"
# Contention: after this many lost races in one request, the caller is told to retry shortly.
_MAX_TRIES = 10
_CONDITION_FAILED = "ConditionalCheckFailedException"


def attempts_pk(key: str) -> str:
    return f"LOGINFAIL#{key}"


class LoginFailureItem(TableItem, discriminator="login_failures"):
    failures = NumberAttribute(default=0)
    last_failure = NumberAttribute()  # epoch seconds
    blocked_until = NumberAttribute(null=True)  # epoch seconds (float): next attempt not before


def _wait(until: float, now: float) -> int:
    return max(1, math.ceil(until - now))


class LoginAttemptStore:
    def reserve(self, key: str, now: datetime, policy: LockoutPolicy) -> int:
        """Count this attempt before the secret is checked: 0 when it may proceed, else the
        seconds to wait (nothing is counted then)."""
        bind()
        stamp = now.timestamp()
        until = epoch_seconds(policy.window_end(now))
        for _ in range(_MAX_TRIES):
            item = self._live(key, stamp)
            seen = 0 if item is None else int(item.failures)
            if item is not None and float(item.blocked_until or 0) > stamp:
                return _wait(float(item.blocked_until or 0), stamp)
            blocked = stamp + policy.delay_after(seen + 1) / timedelta(seconds=1)
            if self._count(key, item, seen=seen, stamp=stamp, blocked=blocked, until=until):
                return 0
        return 1  # lost every race: parallel attempts on one key are refused, not queued

    def _live(self, key: str, stamp: float) -> LoginFailureItem | None:
        try:
            item = LoginFailureItem.get(attempts_pk(key), _SK, consistent_read=True)
        except DoesNotExist:
            return None
        return item if int(item.expires_at or 0) > stamp else None

    def _count(
        self,
        key: str,
        item: LoginFailureItem | None,
        *,
        seen: int,
        stamp: float,
        blocked: float,
        until: int,
    ) -> bool:
        """One conditional write; False when another attempt got there first."""
        try:
            if item is None:
                LoginFailureItem(
                    PK=attempts_pk(key),
                    SK=_SK,
                    failures=1,
                    last_failure=int(stamp),
                    blocked_until=blocked,
                    expires_at=until,
                ).save(
                    condition=LoginFailureItem.PK.does_not_exist()
                    | (LoginFailureItem.expires_at <= int(stamp))
                )
            else:
                LoginFailureItem(PK=attempts_pk(key), SK=_SK).update(
                    actions=[
                        LoginFailureItem.failures.add(1),
                        LoginFailureItem.last_failure.set(int(stamp)),
                        LoginFailureItem.blocked_until.set(blocked),
                        LoginFailureItem.expires_at.set(until),
                    ],
                    condition=(LoginFailureItem.failures == seen)
                    & (LoginFailureItem.expires_at > int(stamp)),
                )
        except (PutError, UpdateError) as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            return False
        return True

    def refund(self, key: str) -> None:
        """Un-count a reserved attempt that was not a failure (e.g. a missing second factor)."""
        bind()
        try:
            LoginFailureItem(PK=attempts_pk(key), SK=_SK).update(
                actions=[LoginFailureItem.failures.add(-1)],
                condition=LoginFailureItem.failures > 0,
            )
        except UpdateError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise

    def clear(self, key: str) -> None:
        bind()
        LoginFailureItem(PK=attempts_pk(key), SK=_SK).delete()
