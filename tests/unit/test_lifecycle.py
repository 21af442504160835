"""The reservation lifecycle: one transition table, explicit methods, each returning the
history entry it writes (who, when, why, channel); anything else is InvalidTransition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.reservations import (
    OCCUPYING,
    TRANSITIONS,
    Actor,
    Changed,
    InvalidTransition,
    Reservation,
    ReservationStatus,
    TimeRange,
    Transition,
)

S = ReservationStatus
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
ADA = Actor("ada", "web")


def reservation(status: ReservationStatus) -> Reservation:
    window = TimeRange(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1))
    return Reservation("r-1", "room-1", "ada", window, status, NOW, version=3)


MOVES: dict[Transition, Callable[[Reservation], Changed]] = {
    Transition.APPROVE: lambda r: r.approve(ADA, NOW, "ok"),
    Transition.REJECT: lambda r: r.reject(ADA, NOW, "no"),
    Transition.ACCEPT: lambda r: r.accept_offer(ADA, NOW, needs_approval=False),
    Transition.DECLINE: lambda r: r.decline_offer(ADA, NOW),
    Transition.EXPIRE: lambda r: r.expire(ADA, NOW, "ended"),
    Transition.CHECK_IN: lambda r: r.check_in(ADA, NOW),
    Transition.COMPLETE: lambda r: r.complete(ADA, NOW),
    Transition.NO_SHOW: lambda r: r.mark_no_show(ADA, NOW),
    Transition.CANCEL: lambda r: r.cancel(ADA, NOW, "plans changed"),
    Transition.RESCHEDULE: lambda r: r.reschedule(
        ADA,
        NOW,
        resource_id="room-2",
        window=TimeRange(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1)),
        status=S.ACTIVE,
        details={},
        override_by=None,
    ),
}


def test_every_transition_has_a_method() -> None:
    assert set(MOVES) == set(Transition) == set(TRANSITIONS)


def test_the_occupying_statuses() -> None:
    assert {S.ACTIVE, S.PENDING_APPROVAL, S.HELD, S.CHECKED_IN} == OCCUPYING


@pytest.mark.parametrize(
    ("transition", "status"),
    sorted((t, s) for t, sources in TRANSITIONS.items() for s in sources),
)
def test_an_allowed_transition_writes_its_history_entry(
    transition: Transition, status: ReservationStatus
) -> None:
    # Given a reservation in a status the table allows the transition from
    before = reservation(status)
    # When it happens
    changed = MOVES[transition](before)
    # Then the reservation moved to one of the allowed targets, one version on
    assert changed.after.status in TRANSITIONS[transition][status]
    assert (changed.before, changed.after.version) == (before, before.version + 1)
    # And the entry says who, when, what and through which channel
    entry = changed.entry
    assert (entry.at, entry.actor_id, entry.channel) == (NOW, "ada", "web")
    assert entry.action and changed.transition == transition


@pytest.mark.parametrize(
    ("transition", "status"),
    sorted((t, s) for t in Transition for s in S if s not in TRANSITIONS[t]),
)
def test_anything_else_is_an_invalid_transition_naming_the_status(
    transition: Transition, status: ReservationStatus
) -> None:
    with pytest.raises(InvalidTransition) as refused:
        MOVES[transition](reservation(status))
    assert refused.value.details["status"] == status.value
    assert refused.value.code in {
        "invalid_transition",
        "already_cancelled",
        "not_cancellable",
        "not_reschedulable",
    }


def test_cancelling_twice_keeps_its_well_known_code() -> None:
    with pytest.raises(InvalidTransition) as again:
        reservation(S.CANCELLED).cancel(ADA, NOW)
    assert again.value.code == "already_cancelled"


def test_leaving_the_occupying_statuses_frees_the_slot() -> None:
    assert reservation(S.ACTIVE).cancel(ADA, NOW).frees_slot
    assert not reservation(S.PENDING_APPROVAL).approve(ADA, NOW).frees_slot
    accepted = reservation(S.HELD).accept_offer(ADA, NOW, needs_approval=True)
    assert accepted.after.status == S.PENDING_APPROVAL and not accepted.frees_slot
