"""Composite resources (issue 14): GET/PUT /api/v1/resources/{id}/parts (bad input, who may
call, group-scoped admins) and bookings honouring the links (composite <-> parts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import error_code, register_and_login, send_json, user_id_of
from tests.integration.reservations_kit import at, book, iso
from tests.integration.test_availability import free_on
from tests.integration.test_groups import GROUPS, assign, site
from tests.resource_factories import create_resource, get_json


def parts_path(rid: str) -> str:
    return f"/api/v1/resources/{rid}/parts"


def set_parts(client: Client, token: str, rid: str, parts: list[str]) -> Any:
    return send_json(client, "PUT", parts_path(rid), {"parts": parts}, token)


def hall_of(client: Client, token: str) -> tuple[str, str, str]:
    hall, a, b = (create_resource(client, token, n)["resource_id"] for n in ("Hall", "A", "B"))
    response = set_parts(client, token, hall, [a, b])
    assert response.status_code == 200, response.body
    return hall, a, b


def test_parts_are_set_and_read_from_both_sides(client: Client, admin_token: str) -> None:
    hall, a, b = hall_of(client, admin_token)
    assert get_json(client, parts_path(hall), admin_token).json_body == {
        "resource_id": hall,
        "parts": [a, b],
        "part_of": [],
    }
    assert get_json(client, parts_path(a), admin_token).json_body["part_of"] == [hall]
    # Removing B unlinks it on both sides
    assert set_parts(client, admin_token, hall, [a]).status_code == 200
    assert get_json(client, parts_path(b), admin_token).json_body["part_of"] == []


def test_bad_parts_are_a_4xx_naming_the_problem(client: Client, admin_token: str) -> None:
    hall, a, _ = hall_of(client, admin_token)
    other = create_resource(client, admin_token, "Other")["resource_id"]
    cases = [
        (hall, [hall], 422, "invalid_parts"),  # self
        (hall, [a, a], 422, "invalid_parts"),  # duplicate
        (other, [hall], 422, "invalid_parts"),  # a composite as a part
        (a, [other], 422, "invalid_parts"),  # a part with parts (one level)
        (hall, ["no-such-resource"], 404, "resource_not_found"),
        ("no-such-resource", [a], 404, "resource_not_found"),
    ]
    for rid, parts, status, code in cases:
        response = set_parts(client, admin_token, rid, parts)
        assert response.status_code == status, (rid, parts, response.body)
        assert error_code(response) == code, response.body
    for body in ({}, {"parts": "a"}, {"parts": [1]}, {"parts": [], "x": 1}):
        response = send_json(client, "PUT", parts_path(hall), body, admin_token)
        assert response.status_code == 422, (body, response.body)
    assert get_json(client, parts_path("no-such-resource"), admin_token).status_code == 404


def test_only_admins_and_group_admins_of_every_part_may_set_parts(
    client: Client, admin_token: str, user_token: str
) -> None:
    g = site(client, admin_token)
    hall, a, b = (create_resource(client, admin_token, n)["resource_id"] for n in "HAB")
    for rid in (hall, a):
        assign(client, admin_token, g["floor"], rid)
    assign(client, admin_token, g["south"], b)
    manager = register_and_login(client, "manny")
    grant = f"{GROUPS}/{g['north']}/admins/{user_id_of(client, manager)}"
    assert send_json(client, "PUT", grant, None, admin_token).status_code == 200
    # A plain user is refused; anyone may read
    refused = set_parts(client, user_token, hall, [a])
    assert refused.status_code == 403
    assert get_json(client, parts_path(hall), user_token).status_code == 200
    # The building manager links inside their building, not a hall of another building
    assert set_parts(client, manager, hall, [a]).status_code == 200
    outside = set_parts(client, manager, hall, [a, b])
    assert outside.status_code == 403
    assert error_code(outside) == "admin_required"
    assert get_json(client, parts_path(hall), admin_token).json_body["parts"] == [a]


def test_booking_the_composite_blocks_its_parts_and_vice_versa(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    hall, a, b = hall_of(client, admin_token)
    # The hall booked 10-11 blocks A and B then
    assert book(client, user_token, at(10), at(11), hall).status_code == 201
    for part in (a, b):
        clash = book(client, user_token, at(10, 30), at(11, 30), part)
        assert clash.status_code == 409, clash.body
        assert error_code(clash) == "reservation_conflict"
    # A booked 13-14 blocks the hall, not B
    assert book(client, user_token, at(13), at(14), a).status_code == 201
    assert book(client, user_token, at(13), at(14), b).status_code == 201
    assert book(client, user_token, at(13, 30), at(15), hall).status_code == 409
    # Back to back is fine
    assert book(client, user_token, at(14), at(15), hall).status_code == 201


def test_availability_shows_a_part_busy_while_the_composite_is_booked(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    hall, a, _ = hall_of(client, admin_token)
    assert book(client, user_token, at(10), at(11), hall).status_code == 201
    assert book(client, user_token, at(15), at(16), a).status_code == 201

    def busy(rid: str, start: datetime, end: datetime) -> bool:
        slots = free_on(client, user_token, rid, date=at(10).date().isoformat())
        assert slots, slots
        return not any(
            iso_utc(s["start_time"]) <= start and end <= iso_utc(s["end_time"]) for s in slots
        )

    assert busy(a, at(10), at(11)) and busy(hall, at(15), at(16))
    assert not busy(a, at(12), at(13))


def iso_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_calendar_grid_shows_a_part_busy_while_the_composite_is_booked(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    hall, a, b = hall_of(client, admin_token)
    assert book(client, user_token, at(10), at(11), hall).status_code == 201
    assert book(client, user_token, at(15), at(16), a).status_code == 201
    query = urlencode({"ids": [a, b, hall], "from": iso(at(0)), "to": iso(at(23))}, doseq=True)
    answer = get_json(client, f"/api/v1/resources/schedules?{query}", user_token)
    assert answer.status_code == 200, answer.body
    starts = {
        s["resource_id"]: sorted(blk["start_time"][11:16] for blk in s["blocks"])
        for s in answer.json_body["schedules"]
    }
    assert starts == {a: ["10:00", "15:00"], b: ["10:00"], hall: ["10:00", "15:00"]}


def test_the_free_window_search_leaves_out_a_part_while_the_composite_is_booked(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    from tests.integration.test_availability_search import search

    hall, a, b = hall_of(client, admin_token)
    assert book(client, user_token, at(10), at(11), hall).status_code == 201
    assert book(client, user_token, at(15), at(16), a).status_code == 201

    def free_ids(start: datetime, end: datetime) -> set[str]:
        found = search(
            client, user_token, available_from=iso(start), available_until=iso(end), limit=100
        )
        assert found.status_code == 200, found.body
        return {r["resource_id"] for r in found.json_body["items"]} & {hall, a, b}

    assert free_ids(at(10), at(11)) == set()  # the hall occupies both halves
    assert free_ids(at(15), at(16)) == {b}  # half A booked: the hall is not free either
    assert free_ids(at(12), at(13)) == {hall, a, b}


def test_the_free_window_search_sees_parts_set_after_its_last_search(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # (the search reads composite links from its catalogue copy: setting parts must renew it)
    from tests.integration.test_availability_search import search

    hall, a, b = (create_resource(client, admin_token, n)["resource_id"] for n in ("H", "A", "B"))
    assert book(client, user_token, at(10), at(11), hall).status_code == 201

    def free_ids() -> set[str]:
        found = search(
            client, user_token, available_from=iso(at(10)), available_until=iso(at(11)), limit=100
        )
        assert found.status_code == 200, found.body
        return {r["resource_id"] for r in found.json_body["items"]} & {hall, a, b}

    # Given a search that saw three unrelated resources, the first one booked
    assert free_ids() == {a, b}
    # When the booked one becomes a composite of the other two
    assert set_parts(client, admin_token, hall, [a, b]).status_code == 200
    # Then the next search leaves its parts out too
    assert free_ids() == set()
    # And when the parts are taken away again, they are free again
    assert set_parts(client, admin_token, hall, []).status_code == 200
    assert free_ids() == {a, b}
