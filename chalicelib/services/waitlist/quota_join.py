"""The waitlist join's quota step (issue 13, docs/quotas.md "Waitlist entries").

`waitlist` rules cap a user's ACTIVE entries (waiting or offered). The counters are charged
inside the join's transaction (store/waitlist/repository.py) with `used + 1 <= limit`, so N
racing joins against a limit k commit exactly k; this module only explains: the evaluation
before the write lists every full rule (422), and a join that lost the race to a counter is
re-explained with fresh numbers.

Entries whose wished time is over are closed lazily (by the offer worker), so they may still
hold a charge: when a rule looks full, the user's own ended entries are expired first (each
through its version-guarded transition, which gives its charge back exactly once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal
from chalicelib.domain.quotas.rules import QuotaPlan
from chalicelib.domain.reservations.denials import combined
from chalicelib.domain.waitlist.entries import WaitlistEntry
from chalicelib.domain.waitlist.matching import QueueSlot
from chalicelib.services.quotas.gate import QuotaGate
from chalicelib.services.waitlist.ports import Entries
from chalicelib.store.reservations.booking_tx import QuotaExceeded

PAGE = 100
MAX_PAGES = 5  # a user with more than 500 entries waits for the worker's lazy close


class WaitlistQuota:
    def __init__(self, gate: QuotaGate | None, entries: Entries) -> None:
        self._gate = gate
        self._entries = entries

    def plan_or_refuse(self, principal: Principal, resource: Resource, now: datetime) -> QuotaPlan:
        """The counters this join charges, or ONE 422 naming every full `waitlist` rule."""
        gate = self._gate
        if gate is None:
            return QuotaPlan()
        outcome = gate.evaluate_waitlist(principal, resource, now)
        if outcome.evaluation.violations and expire_ended(self._entries, principal.subject_id, now):
            outcome = gate.evaluate_waitlist(principal, resource, now)
        found = outcome.violations()
        if found:
            raise combined(found)
        return outcome.plan

    def join(
        self,
        principal: Principal,
        resource: Resource,
        now: datetime,
        decide: Callable[[int, list[QueueSlot]], WaitlistEntry],
        *,
        limits: Mapping[str, int],
    ) -> WaitlistEntry:
        """The store's join, a lost race on a counter explained with fresh numbers."""
        try:
            return self._entries.join(resource.resource_id, decide, limits)
        except QuotaExceeded as exc:
            if self._gate is not None:
                found = self._gate.evaluate_waitlist(principal, resource, now).violations()
                if found:
                    raise combined(found) from exc
            raise


def expire_ended(entries: Entries, user_id: str, now: datetime) -> int:
    """Close the user's live entries whose wished time is over; how many were closed here."""
    closed = 0
    cursor: dict[str, Any] | None = None
    for _ in range(MAX_PAGES):
        page, cursor = entries.for_user(user_id, limit=PAGE, start_key=cursor)
        for entry in page:
            if entry.live and entry.wish.span.end <= now:
                try:
                    entries.apply(entry, entry.expired(now))
                    closed += 1
                except Conflict:
                    pass  # it changed meanwhile: whoever changed it owns the give-back
        if cursor is None:
            break
    return closed
