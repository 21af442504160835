"""Waitlist and group-scoped quota rules in-process (issue 13): "at most k active waitlist
entries" charged in the join's transaction, explained when full, given back exactly once when
the entry leaves, is accepted, auto-booked or expires; admins skip it; scopes and overrides as
other rules. A group rule covers the group's whole subtree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.repository import ResourceStore
from tests.factories import login
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import person
from tests.integration.reservations_kit import (
    at,
    book,
    booked,
    cancel,
    create_resource,
    send,
)
from tests.integration.test_groups import assign, site
from tests.integration.test_quotas import add_rule, usage
from tests.integration.waitlist_kit import act, entry, join, joined


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    lab = create_resource("room-2")
    store = ResourceStore(wiring.cursors())
    store.save(lab, replace(lab, tags=("lab",)))
    yield Pipeline(app)


def _busy(client: Client, token: str, hours: range, resource_id: str = "room-1") -> None:
    for hour in hours:
        booked(client, token, at(hour), at(hour + 1), resource_id=resource_id)


def _used(client: Client, token: str, rule: str) -> int:
    return int(usage(client, token)[rule]["used"])


def test_active_entries_are_capped_explained_and_given_back_on_leave(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    # Given room-1 is booked 9-13 by ada and a rule: at most 2 active waitlist entries
    ada, bob = person(client, "ada"), person(client, "bob")
    _busy(client, ada.token, range(9, 13))
    rule = add_rule(client, admin_token, name="Queue", metric="waitlist", limit=2)
    # When bob joins for two windows, Then both are accepted and counted
    first = joined(client, bob.token, at(9), at(10))
    joined(client, bob.token, at(10), at(11))
    row = usage(client, bob.token)[rule]
    assert (row["used"], row["remaining"], row["unit"]) == (2, 0, "entries")
    # When he joins for a third, Then 422 names the rule with his numbers
    refused = join(client, bob.token, at(11), at(12))
    assert refused.status_code == 422, refused.body
    error = refused.json_body["error"]
    assert error["code"] == "quota_exceeded"
    (violation,) = error["details"]["violations"]
    assert violation["message"] == (
        "Queue: at most 2 waitlist entries active: you have 2 waitlist entries active, "
        "this adds 1 waitlist entry"
    )
    assert (violation["limit"], violation["used"], violation["adds"]) == (2, 2, 1)
    # When he leaves one (twice: the second is refused), Then exactly one comes back
    assert act(client, bob.token, first["entry_id"], "leave").status_code == 200
    assert act(client, bob.token, first["entry_id"], "leave").status_code == 409
    assert _used(client, bob.token, rule) == 1
    joined(client, bob.token, at(11), at(12))
    assert _used(client, bob.token, rule) == 2


def test_accept_and_auto_book_give_the_entry_back(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    rule = add_rule(client, admin_token, name="Queue", metric="waitlist", limit=5)
    ten = booked(client, ada.token, at(10), at(11))
    eleven = booked(client, ada.token, at(11), at(12))
    offered = joined(client, bob.token, at(10), at(11))
    auto = joined(client, bob.token, at(11), at(12), auto_book=True)
    assert _used(client, bob.token, rule) == 2
    # When ada frees both windows and the pipeline offers / books them
    cancel(client, ada.token, ten)
    cancel(client, ada.token, eleven)
    pipeline.run()
    # Then the auto-booked entry is closed and no longer counted; the offer still counts
    assert entry(client, bob.token, auto["entry_id"])["status"] == "booked"
    assert entry(client, bob.token, offered["entry_id"])["status"] == "offered"
    assert _used(client, bob.token, rule) == 1
    # When he accepts the offer, Then nothing is counted any more
    assert act(client, bob.token, offered["entry_id"], "accept").status_code == 200
    assert _used(client, bob.token, rule) == 0


def test_ended_entries_are_expired_to_make_room(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    # Given bob's only allowed entry waits for a window that passes without being freed
    ada, bob = person(client, "ada"), person(client, "bob")
    rule = add_rule(client, admin_token, name="Queue", metric="waitlist", limit=1)
    booked(client, ada.token, at(10), at(11))
    old = joined(client, bob.token, at(10), at(11))
    clock.advance(timedelta(days=2))
    day = (clock.now() + timedelta(days=1)).date()
    ada_token = str(login(client, "ada")["access_token"])
    token = str(login(client, "bob")["access_token"])
    booked(client, ada_token, at(10, day=day), at(11, day=day))
    # When he joins for a new window, Then the ended entry is expired (its charge given back)
    # and the join is accepted
    joined(client, token, at(10, day=day), at(11, day=day))
    assert entry(client, token, old["entry_id"])["status"] == "expired"
    assert _used(client, token, rule) == 1


def test_scopes_overrides_and_exempt_roles(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    _busy(client, ada.token, range(9, 12))
    _busy(client, ada.token, range(9, 12), resource_id="room-2")
    # Given a rule on the lab tag only: at most 1 entry; room-1 has no such tag
    rule = add_rule(
        client,
        admin_token,
        name="Lab queue",
        metric="waitlist",
        limit=1,
        scope="tag",
        scope_value="lab",
    )
    joined(client, bob.token, at(9), at(10), resource_id="room-2")
    assert join(client, bob.token, at(10), at(11), resource_id="room-2").status_code == 422
    joined(client, bob.token, at(9), at(10))  # room-1: not in scope
    joined(client, bob.token, at(10), at(11))
    # When an override gives bob 2, Then a second lab entry is accepted
    path = f"/api/v1/quotas/overrides/{bob.user_id}/{rule}"
    assert send(client, "PUT", path, admin_token, {"limit": 2}).status_code == 200
    joined(client, bob.token, at(10), at(11), resource_id="room-2")
    assert _used(client, bob.token, rule) == 2
    # And admins skip the rule (nothing charged)
    for hour in (9, 10):
        joined(client, admin_token, at(hour), at(hour + 1), resource_id="room-2")


def test_a_waitlist_rule_has_no_period_or_peak_and_does_not_limit_bookings(
    client: Client, pipeline: Pipeline, admin_token: str, user_token: str
) -> None:
    bad: dict[str, Any] = {"name": "Bad", "metric": "waitlist", "limit": 1}
    for extra in ({"period": "week"}, {"peak": "09:00-17:00"}):
        response = send(client, "POST", "/api/v1/quotas/rules", admin_token, {**bad, **extra})
        assert response.status_code == 422, response.body
    add_rule(client, admin_token, name="Queue", metric="waitlist", limit=0)
    # A limit of 0 would refuse every join, yet bookings never charge waitlist rules
    for hour in (9, 10):
        booked(client, user_token, at(hour), at(hour + 1))


def test_a_group_rule_covers_the_groups_whole_subtree(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given room-1 on Floor 1 of North (under HQ), room-2 in South, and a daily limit of 1
    # reservation on North's subtree
    create_resource("room-1")
    create_resource("room-2")
    g = site(client, admin_token)
    assert assign(client, admin_token, g["floor"], "room-1").status_code == 200
    assert assign(client, admin_token, g["south"], "room-2").status_code == 200
    add_rule(
        client, admin_token, name="North", metric="count", limit=1, period="day",
        scope="group", scope_value=g["north"],
    )  # fmt: skip
    # Then one booking on Floor 1 passes, a second is refused, South is not limited
    booked(client, user_token, at(9), at(10))
    refused = book(client, user_token, at(10), at(11))
    assert refused.status_code == 422, refused.body
    assert refused.json_body["error"]["details"]["violations"][0]["scope"] == "group"
    for hour in (9, 10):
        booked(client, user_token, at(hour), at(hour + 1), resource_id="room-2")
