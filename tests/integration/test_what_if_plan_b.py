"""The what-if check and Plan B (issue 13): the same evaluation without writing, and ranked,
ready-to-send alternatives with a refusal."""

from __future__ import annotations

from datetime import timedelta

from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.catalog.resources import BookingPolicy, Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.repository import ResourceStore
from tests.integration.reservations_kit import (
    at,
    book,
    booked,
    booking_body,
    create_resource,
    send,
)

CHECK = "/api/v1/reservations/check"


def tagged(resource_id: str, tags: tuple[str, ...], capacity: int = 4) -> None:
    created = at(0) - timedelta(days=300)
    ResourceStore(wiring.cursors()).create(
        Resource(
            resource_id=resource_id,
            name=f"Resource {resource_id}",
            tags=tags,
            capacity=capacity,
            policy=BookingPolicy(),
            created_at=created,
            updated_at=created,
        )
    )


def test_check_writes_nothing_and_forecasts_usage_approval_and_conflicts(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    create_resource("room-1")
    create_resource("room-2", requires_approval=True)
    rule = {"name": "Daily", "metric": "hours", "limit": 3, "period": "day"}
    assert send(client, "POST", "/api/v1/quotas/rules", admin_token, rule).status_code == 201
    # When a free window is checked
    free = send(client, "POST", CHECK, user_token, booking_body(at(9), at(11)))
    assert free.status_code == 200, free.body
    body = free.json_body
    # Then it would pass as an active booking, and leave 1 h of the 3 h
    assert (body["ok"], body["requires_approval"], body["status"]) == (True, False, "active")
    assert [(q["used"], q["after"], q["remaining_after"]) for q in body["quota"]] == [(0, 120, 60)]
    assert body["alternatives"] == []
    # And nothing was written: the same window books
    booked(client, user_token, at(9), at(11))
    # When an overlapping window that also breaks the quota is checked
    taken = send(client, "POST", CHECK, user_token, booking_body(at(10), at(12)))
    body = taken.json_body
    # Then both the conflict and the quota are named
    assert body["ok"] is False
    assert len(body["conflicts"]) == 1
    assert [v["code"] for v in body["violations"]] == ["quota_exceeded"]
    # And on a resource that needs approval, the check says so
    queued = send(client, "POST", CHECK, user_token, booking_body(at(13), at(14), "room-2"))
    assert (queued.json_body["requires_approval"], queued.json_body["status"]) == (
        True,
        "pending_approval",
    )


def test_a_conflict_answers_with_plan_b_and_an_alternative_books(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    # Given two lab rooms (same tags, enough capacity) and a small one
    tagged("lab-1", ("lab",))
    tagged("lab-2", ("lab",))
    tagged("closet", ("lab",), capacity=1)
    booked(client, other_user_token, at(10), at(11), resource_id="lab-1")
    # When lab-1 is asked for at the same time
    refused = book(client, user_token, at(10), at(11), resource_id="lab-1")
    assert refused.status_code == 409
    alternatives = refused.json_body["error"]["details"]["alternatives"]
    # Then the nearest windows on lab-1 come first, and lab-2 is offered (not the closet)
    same = [a for a in alternatives if a["resource_id"] == "lab-1"]
    assert {(a["kind"], a["start_time"]) for a in same[:2]} == {
        ("earlier", "2026-11-25T09:00:00.000Z"),
        ("later", "2026-11-25T11:00:00.000Z"),
    }
    others = [a["resource_id"] for a in alternatives if a["kind"] == "other_resource"]
    assert others == ["lab-2"]
    # And an alternative's request books as it is
    pick = next(a for a in alternatives if a["kind"] == "other_resource")
    assert (
        send(client, "POST", "/api/v1/reservations", user_token, pick["request"]).status_code == 201
    )
    assert book(client, user_token, at(11), at(12), resource_id="lab-1").status_code == 201


def test_check_bad_input_and_unknown_resource(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    assert send(client, "POST", CHECK, user_token, {}).status_code == 422
    backwards = booking_body(at(11), at(10))
    assert send(client, "POST", CHECK, user_token, backwards).status_code == 422
    unknown = send(client, "POST", CHECK, user_token, booking_body(at(9), at(10), "nope"))
    assert unknown.status_code == 404
