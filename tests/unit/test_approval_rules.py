"""The approval chain rules (issue 10), pure: who decides which step, what a decision does,
when a request expires or its approvers are reminded, and how requests share a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.catalog.approval import (
    ADMIN_STEP,
    ApprovalSettings,
    ApprovalStep,
    effective_chain,
    settings_from_dict,
)
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reservations import ReservationStatus, TimeRange
from chalicelib.domain.reservations.approvals import (
    ApprovalRequest,
    RequestStatus,
    Verdict,
    decide,
    expiry_due,
    may_decide,
    reminder_due,
)
from chalicelib.domain.reservations.conflicts import Occupant, find_conflicts

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
WINDOW = TimeRange(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1))
TWO_STEPS = (ApprovalStep(users=("manager",)), ApprovalStep(roles=(Role.ADMIN,)))


def person(uid: str, *roles: Role, client: bool = False) -> Principal:
    return Principal(uid, uid, frozenset(roles or (Role.USER,)), is_client=client)


def request(**changes: object) -> ApprovalRequest:
    base = ApprovalRequest("r1", "lab", "alice", WINDOW, NOW)
    return ApprovalRequest(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def approve(req: ApprovalRequest, who: Principal) -> ApprovalRequest:
    return decide(req, TWO_STEPS, who, verdict=Verdict.APPROVE, message="ok", at=NOW).after


def test_the_chain_is_the_setting_else_the_legacy_approvers_else_any_admin() -> None:
    assert effective_chain(ApprovalSettings(TWO_STEPS), ("x",)) == TWO_STEPS
    assert effective_chain(None, ("x", "y")) == (ApprovalStep(users=("x", "y")),)
    assert effective_chain(ApprovalSettings(()), ()) == (ADMIN_STEP,)


def test_each_step_in_order_and_only_its_approvers() -> None:
    req = request()
    # The admin cannot take step 0 (the manager's); the manager moves it to step 1
    with pytest.raises(Forbidden) as refused:
        approve(req, person("root", Role.ADMIN))
    assert refused.value.code == "not_an_approver"
    middle = approve(req, person("manager"))
    assert middle.status == RequestStatus.PENDING and middle.step == 1
    assert [d.actor_id for d in middle.decisions] == ["manager"]
    # Step 1 belongs to the admin role now, not to the manager
    assert not may_decide(middle, TWO_STEPS, person("manager"))
    assert may_decide(middle, TWO_STEPS, person("root", Role.ADMIN))
    done = approve(middle, person("root", Role.ADMIN))
    assert done.status == RequestStatus.APPROVED and done.closed_by == "root"
    assert len(done.decisions) == 2


def test_a_rejection_at_any_step_ends_the_request() -> None:
    outcome = decide(
        request(), TWO_STEPS, person("manager"), verdict=Verdict.REJECT, message="no", at=NOW
    )
    assert outcome.final and outcome.after.status == RequestStatus.REJECTED
    assert outcome.after.closed_reason == "no"


def test_nobody_decides_their_own_request_and_clients_never_decide() -> None:
    own = request(requester_id="manager")
    with pytest.raises(Forbidden) as refused:
        approve(own, person("manager"))
    assert refused.value.code == "own_request"
    robot = person("manager", client=True)
    assert not may_decide(request(), TWO_STEPS, robot)


def test_a_decided_request_is_a_409() -> None:
    with pytest.raises(Conflict) as refused:
        approve(request(status=RequestStatus.WITHDRAWN), person("manager"))
    assert refused.value.code == "approval_not_pending"


def test_a_chain_shortened_meanwhile_ends_at_its_last_step() -> None:
    one = (ApprovalStep(users=("manager",)),)
    outcome = decide(
        request(step=1), one, person("manager"), verdict=Verdict.APPROVE, message="", at=NOW
    )
    assert outcome.after.status == RequestStatus.APPROVED


def test_expiry_after_the_hours_or_when_the_start_comes() -> None:
    settings = ApprovalSettings(expiry_hours=24)
    assert not expiry_due(request(), settings, NOW + timedelta(hours=23))
    assert expiry_due(request(), settings, NOW + timedelta(hours=24))
    never = ApprovalSettings(expiry_hours=0)
    assert not expiry_due(request(), never, NOW + timedelta(hours=47))
    assert expiry_due(request(), never, WINDOW.start)
    assert not expiry_due(request(status=RequestStatus.APPROVED), settings, WINDOW.start)


def test_reminders_once_per_step_after_the_step_waited_long_enough() -> None:
    settings = ApprovalSettings(remind_after_hours=4)
    assert not reminder_due(request(), settings, NOW + timedelta(hours=3))
    assert reminder_due(request(), settings, NOW + timedelta(hours=4))
    assert not reminder_due(request(reminded_step=0), settings, NOW + timedelta(hours=9))
    # the next step waits from its own start (the manager's decision)
    later = approve(request(reminded_step=0), person("manager"))
    decided_at = later.decisions[-1].at
    assert not reminder_due(later, settings, decided_at + timedelta(hours=3))
    assert reminder_due(later, settings, decided_at + timedelta(hours=4))
    assert not reminder_due(request(), ApprovalSettings(remind_after_hours=0), WINDOW.start)


@pytest.mark.parametrize(
    "raw",
    [
        {"steps": [{"users": []}]},
        {"steps": [{"roles": ["boss"]}]},
        {"steps": [{"users": ["not an id!"]}]},
        {"steps": [{}] * 6},
        {"steps": "x"},
        {"expiry_hours": -1},
        {"remind_after_hours": True},
        "nope",
    ],
)
def test_invalid_settings_are_refused_with_every_problem(raw: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        settings_from_dict(raw)
    assert refused.value.code == "invalid_approval_chain"


def test_settings_round_trip() -> None:
    settings = ApprovalSettings(TWO_STEPS, expiry_hours=12, remind_after_hours=2)
    assert settings_from_dict(settings.to_dict()) == settings


def test_requests_queue_beside_each_other_but_never_beside_a_confirmed_booking() -> None:
    pending = Occupant("p", "bob", WINDOW, ReservationStatus.PENDING_APPROVAL)
    active = Occupant("a", "carol", WINDOW, ReservationStatus.ACTIVE)
    assert find_conflicts(WINDOW, [pending], queued=True) == []
    assert find_conflicts(WINDOW, [pending]) == [pending]
    assert find_conflicts(WINDOW, [active], queued=True) == [active]
