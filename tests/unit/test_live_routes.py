"""The live routing table (domain/pipeline/live.py), the internal events it reacts to, and the
socket sign-in check: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.catalogue import CATALOGUE
from chalicelib.domain.pipeline.connections import AccountState, WsSession, session_problem
from chalicelib.domain.pipeline.events import DomainEvent, make_event
from chalicelib.domain.pipeline.live import (
    EVERYONE,
    LIVE_EVENT_NAMES,
    Push,
    Recheck,
    approvers,
    approvers_key,
    resource,
    steps_for,
    user,
)
from chalicelib.domain.pipeline.mappings import REGISTRY
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.topology import TOPOLOGY
from tests.unit.event_factories import AT, OWNER, change, reservation_image

TIMES_ONLY = {"event", "event_id", "occurred_at", "resource_id", "start_time", "end_time"}


def event(event_name: str, **data: object) -> DomainEvent:
    return make_event(event_name, dict(data), source_id=f"rec-{event_name}", occurred_at=AT)


def catalogue_event(name: str) -> DomainEvent:
    return make_event(name, dict(CATALOGUE[name].example), source_id="rec", occurred_at=AT)


def pushes(e: DomainEvent) -> list[Push]:
    return [s for s in steps_for(e) if isinstance(s, Push)]


def test_the_live_rule_routes_exactly_the_table() -> None:
    [rule] = [r for r in TOPOLOGY.rules if r.queue == "reserver-live"]
    assert rule.event_names == LIVE_EVENT_NAMES


@pytest.mark.parametrize(
    "name",
    [
        ev.RESERVATION_CREATED,
        ev.RESERVATION_CANCELLED,
        ev.RESERVATION_NO_SHOW,
        ev.RESERVATION_RESCHEDULED,
    ],
)
def test_subscribers_read_times_only_and_owner_and_admins_their_detail(name: str) -> None:
    e = catalogue_event(name)
    owner = str(e.data["user_id"])
    slots = [p for p in pushes(e) if p.audience.kind == "resource"]
    assert slots
    for push in slots:
        assert set(push.entry_for("someone-else", is_admin=False)) == TIMES_ONLY
        assert push.entry_for(owner, is_admin=False)["reservation_id"] == e.data["reservation_id"]
        assert push.entry_for("an-admin", is_admin=True)["user_id"] == owner
    [own] = [p for p in pushes(e) if p.audience == user(owner)]
    assert own.entry["event"] == name and "actor_id" not in own.entry


def test_a_move_frees_the_old_window_and_takes_the_new() -> None:
    e = catalogue_event(ev.RESERVATION_RESCHEDULED)
    slots = [p.entry for p in pushes(e) if p.audience.kind == "resource"]
    assert [(s["event"], s["start_time"]) for s in slots] == [
        ("slot.freed", e.data["previous_start_time"]),
        ("slot.taken", e.data["start_time"]),
    ]


def test_a_held_booking_is_a_held_slot() -> None:
    e = event(
        ev.RESERVATION_CREATED, **{**CATALOGUE[ev.RESERVATION_CREATED].example, "status": "held"}
    )
    assert [p.entry["event"] for p in pushes(e) if p.audience.kind == "resource"] == ["slot.held"]


def test_resource_updates_split_into_what_a_calendar_needs() -> None:
    e = event(
        ev.RESOURCE_UPDATED,
        resource_id="room-1",
        enabled=False,
        changed_fields=["capacity", "enabled", "hours"],
    )
    assert [(p.audience, p.entry["event"]) for p in pushes(e)] == [
        (resource("room-1"), "resource.disabled"),
        (resource("room-1"), "resource.hours_changed"),
        (resource("room-1"), "resource.updated"),
    ]


def test_maintenance_reasons_are_for_admins() -> None:
    [push] = pushes(catalogue_event(ev.RESOURCE_MAINTENANCE_STARTED))
    assert "maintenance_reason" not in push.entry_for("anyone", is_admin=False)
    assert push.entry_for("admin", is_admin=True)["maintenance_reason"] == "Projector repair"


def test_a_global_blackout_reaches_everyone() -> None:
    data = {"resource_id": None, "change": "added", "start_date": "2026-12-24"}
    [push] = pushes(event(ev.BLACKOUT_CHANGED, **data, end_date="2026-12-24"))
    assert push.audience == EVERYONE


def test_account_and_token_changes_ask_for_a_recheck() -> None:
    assert steps_for(event(ev.USER_ACCESS_CHANGED, user_id="u1")) == [Recheck(user_id="u1")]
    assert steps_for(event(ev.SESSION_REVOKED, token_id="t1")) == [Recheck(token_id="t1")]


def test_unknown_events_reach_nobody() -> None:
    assert steps_for(event(ev.USER_CREATED, user_id="u1")) == []


# --- the internal events, from item changes ---------------------------------------------------


def user_image(**overrides: object) -> dict[str, object]:
    return {
        "type": "user",
        "user_id": "u1",
        "disabled": False,
        "token_version": 0,
        "roles": ["user"],
        "email": "a@example.com",
        **overrides,
    }


@pytest.mark.parametrize(
    ("after", "changed"),
    [
        ({"disabled": True, "token_version": 1}, ["disabled", "token_version"]),
        ({"roles": ["admin", "user"]}, ["roles"]),
    ],
)
def test_an_access_change_of_a_user_is_an_internal_event(
    after: dict[str, object], changed: list[str]
) -> None:
    [e] = REGISTRY.events_for(change("MODIFY", old=user_image(), new=user_image(**after)))
    assert (e.name, e.data) == (ev.USER_ACCESS_CHANGED, {"user_id": "u1", "changed": changed})


def test_other_profile_changes_and_reordered_roles_are_not() -> None:
    old = user_image(roles=["admin", "user"])
    for new in (
        user_image(email="b@example.com", roles=["admin", "user"]),
        user_image(roles=["user", "admin"]),
    ):
        assert REGISTRY.events_for(change("MODIFY", old=old, new=new)) == []


def test_a_logout_revokes_its_token_and_blackouts_carry_dates_only() -> None:
    denied = {"PK": "JTI#jti-1", "SK": "DENY", "type": "denied_token"}
    [revoked] = REGISTRY.events_for(change("INSERT", new=denied))
    assert revoked.data == {"token_id": "jti-1"}
    blackout = {
        "type": "blackout",
        "blackout_id": "b1",
        "resource_id": "room-1",
        "start_date": "2026-12-24",
        "end_date": "2026-12-26",
        "reason": "Private",
    }
    [removed] = REGISTRY.events_for(change("REMOVE", old=blackout))
    assert removed.data == {
        "blackout_id": "b1",
        "resource_id": "room-1",
        "start_date": "2026-12-24",
        "end_date": "2026-12-26",
        "change": "removed",
    }


def test_reservation_changes_still_map_as_before() -> None:
    [created] = REGISTRY.events_for(change("INSERT", new=reservation_image()))
    assert created.name == ev.RESERVATION_CREATED and created.data["user_id"] == OWNER


# --- the sign-in check -------------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SESSION = WsSession("u1", "jti-1", epoch_seconds(NOW + timedelta(minutes=5)), 3, ("user",))
ACCOUNT = AccountState("u1", disabled=False, token_version=3, roles=("user",))


@pytest.mark.parametrize(
    ("session", "account", "denied", "now", "reason"),
    [
        (SESSION, ACCOUNT, False, NOW, None),
        (SESSION, ACCOUNT, False, NOW + timedelta(minutes=5), "token_expired"),
        (SESSION, ACCOUNT, True, NOW, "token_revoked"),
        (SESSION, None, False, NOW, "account_deleted"),
        (SESSION, AccountState("u1", True, 4, ("user",)), False, NOW, "account_disabled"),
        (SESSION, AccountState("u1", False, 4, ("user",)), False, NOW, "token_revoked"),
        (SESSION, AccountState("u1", False, 3, ("admin", "user")), False, NOW, "roles_changed"),
        (None, ACCOUNT, False, NOW, "not_signed_in"),
    ],
)
def test_session_problem(
    session: WsSession | None,
    account: AccountState | None,
    denied: bool,
    now: datetime,
    reason: str | None,
) -> None:
    assert session_problem(session, account, denied=denied, now=now) == reason


@pytest.mark.parametrize(
    "name",
    [
        ev.WAITLIST_JOINED,
        ev.WAITLIST_OFFERED,
        ev.WAITLIST_OFFER_EXPIRED,
        ev.WAITLIST_ACCEPTED,
        ev.WAITLIST_DECLINED,
        ev.WAITLIST_SKIPPED,
        ev.WAITLIST_LEFT,
    ],
)
def test_waitlist_events_reach_their_owner_only(name: str) -> None:
    e = catalogue_event(name)
    [own] = pushes(e)
    assert own.audience == user(str(e.data["user_id"]))
    assert own.entry["event"] == name and "actor_id" not in own.entry


@pytest.mark.parametrize("name", [ev.APPROVAL_REJECTED, ev.APPROVAL_EXPIRED])
def test_a_request_that_ends_undecided_or_rejected_frees_its_slot(name: str) -> None:
    e = catalogue_event(name)
    [slot] = [p for p in pushes(e) if p.audience.kind == "resource"]
    assert slot.entry["event"] == "slot.freed"
    assert set(slot.entry_for("someone-else", is_admin=False)) == TIMES_ONLY
    assert [p.audience for p in pushes(e) if p.audience.kind == "user"] == [
        user(str(e.data["user_id"]))
    ]


@pytest.mark.parametrize(
    "name", [ev.APPROVAL_REQUESTED, ev.APPROVAL_APPROVED, ev.APPROVAL_REJECTED, ev.APPROVAL_EXPIRED]
)
def test_approval_events_reach_the_requester_and_the_step_s_approvers(name: str) -> None:
    e = catalogue_event(name)
    steps = pushes(e)
    [own] = [p for p in steps if p.audience.kind == "user"]
    assert own.audience == user(str(e.data["user_id"])) and own.entry["event"] == name
    queues = [p for p in steps if p.audience.kind == "approvers"]
    step = int(e.data["step"])
    assert queues[0].audience == approvers(str(e.data["resource_id"]), step)
    for push in queues:  # the approvers' entry names no requester and no actor
        assert push.entry["event"] == "approval.queue_changed" and push.detail is None
        assert not {"user_id", "actor_id", "requester_id"} & set(push.entry)
    changes = [(p.entry["change"], p.entry["step"]) for p in queues]
    if name == ev.APPROVAL_REQUESTED:
        assert changes == [("added", step)] + ([("removed", step - 1)] if step else [])
    else:
        assert changes == [("removed", step)]


def test_a_withdrawn_request_leaves_its_step_s_queue_only() -> None:
    e = event(ev.APPROVAL_WITHDRAWN, reservation_id="r1", resource_id="lab", user_id="u1", step=1)
    [push] = pushes(e)
    assert push.audience == approvers("lab", 1) and push.entry["change"] == "removed"
    assert approvers_key(push.audience.key) == ("lab", 1)
