"""Failed-login counters per (username, client address), counted atomically.

Key: LOGINFAIL#<sha256(username|address)[:32]> / LOGINFAIL. `expires_at` ends the window;
an expired counter is restarted by a conditional put, a live one incremented by an
atomic ADD guarded on being live, so concurrent failures are never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store.table import TableItem, bind

_SK = "LOGINFAIL"
_MAX_TRIES = 4


def attempts_pk(key: str) -> str:
    return f"LOGINFAIL#{key}"


class LoginFailureItem(TableItem, discriminator="login_failures"):
    failures = NumberAttribute(default=0)
    last_failure = NumberAttribute()  # epoch seconds


@dataclass(frozen=True)
class FailureCount:
    failures: int
    last_failure: int  # epoch seconds


class LoginAttemptStore:
    def current(self, key: str, now: datetime) -> FailureCount | None:
        bind()
        try:
            item = LoginFailureItem.get(attempts_pk(key), _SK, consistent_read=True)
        except DoesNotExist:
            return None
        if int(item.expires_at or 0) <= epoch_seconds(now):
            return None  # TTL is lazy: an expired window counts as empty
        return FailureCount(int(item.failures), int(item.last_failure))

    def record_failure(self, key: str, now: datetime, window_end: datetime) -> FailureCount:
        bind()
        stamp, until = epoch_seconds(now), epoch_seconds(window_end)
        for _ in range(_MAX_TRIES):
            item = LoginFailureItem(PK=attempts_pk(key), SK=_SK)
            try:
                item.update(
                    actions=[
                        LoginFailureItem.failures.add(1),
                        LoginFailureItem.last_failure.set(stamp),
                        LoginFailureItem.expires_at.set(until),
                    ],
                    condition=LoginFailureItem.expires_at > stamp,
                )
                return FailureCount(int(item.failures), stamp)
            except UpdateError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
            fresh = LoginFailureItem(
                PK=attempts_pk(key), SK=_SK, failures=1, last_failure=stamp, expires_at=until
            )
            try:
                fresh.save(
                    condition=LoginFailureItem.PK.does_not_exist()
                    | (LoginFailureItem.expires_at <= stamp)
                )
                return FailureCount(1, stamp)
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
        # Lost every race: the counter exists and is live, which is all the caller needs.
        return self.current(key, now) or FailureCount(1, stamp)

    def clear(self, key: str) -> None:
        bind()
        LoginFailureItem(PK=attempts_pk(key), SK=_SK).delete()
