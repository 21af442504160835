"""The reservation and its lifecycle (DESIGN.md section 2b), modelled like Indico's room
booking: one entity whose every status change is an explicit method, checked against ONE
transition table, returning the history entry the store writes with it (who, when, why,
through which channel).

```
pending_approval --approve--> active --check_in--> checked_in --complete--> completed
      |  \\--reject/expire--> rejected/expired      |  \\--no_show--> no_show
held (waitlist offer) --accept--> active (or pending_approval)   occupying --cancel--> cancelled
      \\--decline/expire--> expired                 active --expire (ended)--> expired
```

Occupying states (two of them may never overlap on one resource): active, pending_approval,
held, checked_in. A refused change is `InvalidTransition` (409), never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Channel, Principal
from chalicelib.domain.quotas.charge import QuotaCharge
from chalicelib.domain.reservations.time_range import TimeRange


class ReservationStatus(StrEnum):
    ACTIVE = "active"  # confirmed; occupies the slot
    PENDING_APPROVAL = "pending_approval"  # occupies the slot until decided
    HELD = "held"  # a waitlist offer holding the slot until it is accepted or expires
    CHECKED_IN = "checked_in"  # the holder arrived; occupies the slot until it ends
    COMPLETED = "completed"  # a checked-in reservation that ended
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"  # ended without check-in, or an offer/approval that ran out
    NO_SHOW = "no_show"  # the check-in window was missed; the slot was released


S = ReservationStatus

# Statuses that occupy the resource: two of these may never overlap on one resource.
OCCUPYING = frozenset({S.ACTIVE, S.PENDING_APPROVAL, S.HELD, S.CHECKED_IN})


class Transition(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ACCEPT = "accept"  # a waitlist offer taken up
    DECLINE = "decline"
    EXPIRE = "expire"
    CHECK_IN = "check_in"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


# THE transition table: transition -> {from status: the statuses it may lead to}.
TRANSITIONS: Mapping[Transition, Mapping[ReservationStatus, frozenset[ReservationStatus]]] = {
    Transition.APPROVE: {S.PENDING_APPROVAL: frozenset({S.ACTIVE})},
    Transition.REJECT: {S.PENDING_APPROVAL: frozenset({S.REJECTED})},
    Transition.ACCEPT: {S.HELD: frozenset({S.ACTIVE, S.PENDING_APPROVAL})},
    Transition.DECLINE: {S.HELD: frozenset({S.EXPIRED})},
    Transition.EXPIRE: {
        S.ACTIVE: frozenset({S.EXPIRED}),
        S.PENDING_APPROVAL: frozenset({S.EXPIRED}),
        S.HELD: frozenset({S.EXPIRED}),
    },
    Transition.CHECK_IN: {S.ACTIVE: frozenset({S.CHECKED_IN})},
    Transition.COMPLETE: {S.CHECKED_IN: frozenset({S.COMPLETED})},
    Transition.NO_SHOW: {S.ACTIVE: frozenset({S.NO_SHOW})},
    Transition.CANCEL: {status: frozenset({S.CANCELLED}) for status in OCCUPYING},
    Transition.RESCHEDULE: {
        S.ACTIVE: frozenset({S.ACTIVE, S.PENDING_APPROVAL}),
        S.PENDING_APPROVAL: frozenset({S.ACTIVE, S.PENDING_APPROVAL}),
    },
}

# The history action each transition writes (past tense, as shown to people).
ACTIONS: Mapping[Transition, str] = {
    Transition.APPROVE: "approved",
    Transition.REJECT: "rejected",
    Transition.ACCEPT: "accepted",
    Transition.DECLINE: "declined",
    Transition.EXPIRE: "expired",
    Transition.CHECK_IN: "checked_in",
    Transition.COMPLETE: "completed",
    Transition.NO_SHOW: "no_show",
    Transition.CANCEL: "cancelled",
    Transition.RESCHEDULE: "rescheduled",
}

# Transitions that give a booking up: every quota charge it made comes back (issue 13).
# Any other transition that ends the occupation (completed) returns only the charges that
# count concurrent reservations (`QuotaCharge.on_end`).
GIVES_BACK_QUOTA = frozenset(
    {
        Transition.CANCEL,
        Transition.REJECT,
        Transition.EXPIRE,
        Transition.DECLINE,
        Transition.NO_SHOW,
    }
)


def kept_charges(
    transition: Transition, target: ReservationStatus, charges: tuple[QuotaCharge, ...]
) -> tuple[QuotaCharge, ...]:
    if transition in GIVES_BACK_QUOTA:
        return ()
    if target not in OCCUPYING:
        return tuple(c for c in charges if not c.on_end)
    return charges


# Refusal codes clients already rely on; every other refusal is `invalid_transition`.
_REFUSAL_CODES: Mapping[tuple[Transition, ReservationStatus | None], str] = {
    (Transition.CANCEL, S.CANCELLED): "already_cancelled",
    (Transition.CANCEL, None): "not_cancellable",
    (Transition.RESCHEDULE, None): "not_reschedulable",
}


def sources_of(transition: Transition) -> frozenset[ReservationStatus]:
    """The statuses `transition` may start from (the store conditions its write on them)."""
    return frozenset(TRANSITIONS[transition])


class InvalidTransition(Conflict):
    """The reservation's current status does not allow this change."""

    code = "invalid_transition"

    def __init__(
        self,
        current: ReservationStatus,
        transition: Transition,
        target: ReservationStatus | None = None,
    ) -> None:
        code = _REFUSAL_CODES.get((transition, current)) or _REFUSAL_CODES.get((transition, None))
        if code == "already_cancelled":
            message = "the reservation is already cancelled"
        else:
            verb = ACTIONS[transition].replace("_", "-")
            message = f"a {current.value} reservation cannot be {verb}"
            if target is not None:
                message = f"a {current.value} reservation cannot become {target.value}"
        super().__init__(
            message,
            code=code,
            details={
                "status": current.value,
                "transition": transition.value,
                "allowed_from": sorted(s.value for s in sources_of(transition)),
            },
        )
        self.current = current
        self.transition = transition


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and through which channel (written into the history entry)."""

    actor_id: str
    channel: str = Channel.SYSTEM.value

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.subject_id, principal.channel.value)


SYSTEM = Actor("system")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a reservation's edit log (Indico-style): who did what, when, why, how."""

    at: datetime
    actor_id: str
    action: str  # created | rescheduled | cancelled | expired | approved | rejected | ...
    reason: str = ""
    details: dict[str, str] = field(default_factory=dict)
    channel: str = ""


@dataclass(frozen=True)
class Changed:
    """A transition's outcome: the reservation before and after, and the entry to write."""

    before: Reservation
    after: Reservation
    entry: HistoryEntry
    transition: Transition

    @property
    def frees_slot(self) -> bool:
        return self.before.occupies and not self.after.occupies


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    resource_id: str
    user_id: str
    window: TimeRange
    status: ReservationStatus
    created_at: datetime
    notes: str = ""
    series_id: str | None = None
    override_by: str | None = None  # admin who overrode hours/blackouts, if any
    cancel_reason: str = ""
    version: int = 0
    # What the booking took from its owner's quota counters (issue 13), given back once.
    quota_charges: tuple[QuotaCharge, ...] = ()

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING

    def created_entry(self, actor: Actor, details: dict[str, str]) -> HistoryEntry:
        """The first history entry, written with the reservation itself."""
        return HistoryEntry(self.created_at, actor.actor_id, "created", "", details, actor.channel)

    def can(self, transition: Transition) -> bool:
        return self.status in TRANSITIONS[transition]

    def require(self, transition: Transition) -> None:
        """Refuse early (before any other work) what the current status does not allow."""
        if not self.can(transition):
            raise InvalidTransition(self.status, transition)

    # --- the transitions --------------------------------------------------------------------

    def cancel(
        self, actor: Actor, at: datetime, reason: str = "", details: dict[str, str] | None = None
    ) -> Changed:
        return self._go(
            Transition.CANCEL,
            S.CANCELLED,
            actor,
            at,
            reason=reason,
            details=details,
            cancel_reason=reason,
        )

    def approve(self, actor: Actor, at: datetime, reason: str = "") -> Changed:
        return self._go(Transition.APPROVE, S.ACTIVE, actor, at, reason=reason)

    def reject(self, actor: Actor, at: datetime, reason: str = "") -> Changed:
        return self._go(Transition.REJECT, S.REJECTED, actor, at, reason=reason)

    def accept_offer(self, actor: Actor, at: datetime, *, needs_approval: bool) -> Changed:
        target = S.PENDING_APPROVAL if needs_approval else S.ACTIVE
        return self._go(Transition.ACCEPT, target, actor, at)

    def decline_offer(self, actor: Actor, at: datetime, reason: str = "") -> Changed:
        return self._go(Transition.DECLINE, S.EXPIRED, actor, at, reason=reason)

    def expire(self, actor: Actor, at: datetime, reason: str) -> Changed:
        return self._go(Transition.EXPIRE, S.EXPIRED, actor, at, reason=reason)

    def check_in(self, actor: Actor, at: datetime) -> Changed:
        return self._go(Transition.CHECK_IN, S.CHECKED_IN, actor, at)

    def complete(self, actor: Actor, at: datetime) -> Changed:
        return self._go(Transition.COMPLETE, S.COMPLETED, actor, at)

    def mark_no_show(self, actor: Actor, at: datetime, reason: str = "") -> Changed:
        return self._go(Transition.NO_SHOW, S.NO_SHOW, actor, at, reason=reason)

    def reschedule(
        self,
        actor: Actor,
        at: datetime,
        *,
        resource_id: str,
        window: TimeRange,
        status: ReservationStatus,
        details: dict[str, str],
        override_by: str | None,
        quota_charges: tuple[QuotaCharge, ...] | None = None,
    ) -> Changed:
        """Move to another window (and resource); `status` is where the move lands
        (pending approval on a resource that needs it). `quota_charges`: what the new window
        takes (the old window's charges are given back); None keeps them."""
        more: dict[str, Any] = {}
        if quota_charges is not None:
            more["quota_charges"] = quota_charges
        return self._go(
            Transition.RESCHEDULE,
            status,
            actor,
            at,
            details=details,
            resource_id=resource_id,
            window=window,
            override_by=override_by,
            **more,
        )

    def _go(
        self,
        transition: Transition,
        target: ReservationStatus,
        actor: Actor,
        at: datetime,
        *,
        reason: str = "",
        details: dict[str, str] | None = None,
        **changes: Any,
    ) -> Changed:
        allowed = TRANSITIONS[transition].get(self.status)
        if allowed is None:
            raise InvalidTransition(self.status, transition)
        if target not in allowed:
            raise InvalidTransition(self.status, transition, target)
        changes.setdefault("quota_charges", kept_charges(transition, target, self.quota_charges))
        after = replace(self, status=target, version=self.version + 1, **changes)
        entry = HistoryEntry(
            at, actor.actor_id, ACTIONS[transition], reason, dict(details or {}), actor.channel
        )
        return Changed(self, after, entry, transition)
