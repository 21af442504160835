"""Locations through the API: the tree, moves without cycles, subtree filters, group admins."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.domain.catalog.groups import MAX_DEPTH
from tests.factories import error_code, register_and_login, send_json, user_id_of
from tests.resource_factories import create_resource, get_json

GROUPS = "/api/v1/resource-groups"


def make_group(
    client: Client, token: str, name: str, parent: str | None = None, kind: str = "other"
) -> str:
    body = {"name": name, "kind": kind, "parent_id": parent}
    response = send_json(client, "POST", GROUPS, body, token)
    assert response.status_code == 201, response.body
    return str(response.json_body["group_id"])


def assign(client: Client, token: str, group_id: str, resource_id: str) -> Any:
    return send_json(
        client, "POST", f"{GROUPS}/{group_id}/resources", {"resource_id": resource_id}, token
    )


def site(client: Client, token: str) -> dict[str, str]:
    hq = make_group(client, token, "HQ", kind="site")
    north = make_group(client, token, "North", hq, "building")
    south = make_group(client, token, "South", hq, "building")
    floor = make_group(client, token, "Floor 1", north, "floor")
    return {"hq": hq, "north": north, "south": south, "floor": floor}


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.body
    return sorted(item["name"] for item in response.json_body["items"])


def test_the_tree_comes_whole_in_one_request(client: Client, admin_token: str) -> None:
    # Given a site with two buildings and a floor
    g = site(client, admin_token)
    # When anyone reads the tree
    tree = get_json(client, f"{GROUPS}/tree", admin_token).json_body
    # Then it nests, siblings by name, with the documented limits
    (root,) = tree["roots"]
    assert root["group"]["name"] == "HQ"
    assert [c["group"]["name"] for c in root["children"]] == ["North", "South"]
    assert root["children"][0]["children"][0]["group"]["group_id"] == g["floor"]
    assert tree["max_depth"] == MAX_DEPTH
    detail = get_json(client, f"{GROUPS}/{g['floor']}", admin_token).json_body
    assert [a["name"] for a in detail["ancestors"]] == ["HQ", "North"]


def test_a_move_under_its_own_descendant_is_refused(client: Client, admin_token: str) -> None:
    g = site(client, admin_token)
    for target in (g["floor"], g["hq"]):
        moved = send_json(
            client, "PATCH", f"{GROUPS}/{g['hq']}", {"parent_id": target}, admin_token
        )
        assert moved.status_code == 409
        assert error_code(moved) == "group_cycle"
    # a legal move re-parents and keeps the counters right
    ok = send_json(
        client, "PATCH", f"{GROUPS}/{g['floor']}", {"parent_id": g["south"]}, admin_token
    )
    assert ok.status_code == 200, ok.body
    counts = {
        i["name"]: i["children"] for i in get_json(client, GROUPS, admin_token).json_body["items"]
    }
    assert counts == {"HQ": 2, "North": 0, "South": 1, "Floor 1": 0}


def test_depth_is_bounded(client: Client, admin_token: str) -> None:
    parent = None
    for level in range(MAX_DEPTH):
        parent = make_group(client, admin_token, f"L{level}", parent)
    too_deep = send_json(
        client, "POST", GROUPS, {"name": "deeper", "parent_id": parent}, admin_token
    )
    assert too_deep.status_code == 422
    assert error_code(too_deep) == "group_too_deep"


def test_subtree_filter_ungrouped_and_ancestors(client: Client, admin_token: str) -> None:
    g = site(client, admin_token)
    desk = create_resource(client, admin_token, "Desk")["resource_id"]
    room = create_resource(client, admin_token, "Room")["resource_id"]
    create_resource(client, admin_token, "Van")
    assert assign(client, admin_token, g["floor"], desk).status_code == 200
    assert assign(client, admin_token, g["south"], room).status_code == 200
    # the list, the search and the group's own listing filter by subtree
    assert names(get_json(client, f"/api/v1/resources?group={g['hq']}", admin_token)) == [
        "Desk",
        "Room",
    ]
    assert names(get_json(client, f"/api/v1/resources/search?group={g['north']}", admin_token)) == [
        "Desk"
    ]
    assert names(get_json(client, f"{GROUPS}/{g['south']}/resources", admin_token)) == ["Room"]
    assert names(get_json(client, f"{GROUPS}/ungrouped", admin_token)) == ["Van"]
    # and a move of the building carries the resources with it, with no resource write
    send_json(client, "PATCH", f"{GROUPS}/{g['floor']}", {"parent_id": g["south"]}, admin_token)
    assert names(get_json(client, f"/api/v1/resources?group={g['south']}", admin_token)) == [
        "Desk",
        "Room",
    ]
    chain = get_json(client, f"/api/v1/resources/{desk}/ancestors", admin_token).json_body
    assert [a["name"] for a in chain["ancestors"]] == ["HQ", "South", "Floor 1"]
    unknown = get_json(client, "/api/v1/resources?group=nope", admin_token)
    assert unknown.status_code == 404


def test_only_empty_groups_can_be_deleted(client: Client, admin_token: str) -> None:
    g = site(client, admin_token)
    desk = create_resource(client, admin_token, "Desk")["resource_id"]
    assign(client, admin_token, g["floor"], desk)
    for gid in (g["north"], g["floor"]):
        refused = send_json(client, "DELETE", f"{GROUPS}/{gid}", None, admin_token)
        assert refused.status_code == 409
        assert error_code(refused) == "group_not_empty"
    out = send_json(client, "DELETE", f"{GROUPS}/{g['floor']}/resources/{desk}", None, admin_token)
    assert out.status_code == 200 and out.json_body["group_id"] is None
    assert (
        send_json(client, "DELETE", f"{GROUPS}/{g['floor']}", None, admin_token).status_code == 200
    )
    assert (
        send_json(client, "DELETE", f"{GROUPS}/{g['north']}", None, admin_token).status_code == 200
    )
    assert names(get_json(client, GROUPS, admin_token)) == ["HQ", "South"]


def test_a_group_admin_edits_inside_and_is_refused_outside(
    client: Client, admin_token: str
) -> None:
    # Given a building manager of North, a resource in North's floor and one in South
    g = site(client, admin_token)
    inside = create_resource(client, admin_token, "Inside")["resource_id"]
    outside = create_resource(client, admin_token, "Outside")["resource_id"]
    loose = create_resource(client, admin_token, "Loose")["resource_id"]
    assign(client, admin_token, g["floor"], inside)
    assign(client, admin_token, g["south"], outside)
    manager = register_and_login(client, "manny")
    manny = user_id_of(client, manager)
    granted = send_json(client, "PUT", f"{GROUPS}/{g['north']}/admins/{manny}", None, admin_token)
    assert granted.status_code == 200, granted.body
    admins = get_json(client, f"{GROUPS}/{g['north']}/admins", admin_token).json_body
    assert admins["user_ids"] == [manny]
    # When they edit the resource inside: allowed
    edit = send_json(client, "PATCH", f"/api/v1/resources/{inside}", {"capacity": 9}, manager)
    assert edit.status_code == 200, edit.body
    assert edit.json_body["capacity"] == 9
    # and they move it within their building
    assert assign(client, manager, g["north"], inside).status_code == 200
    # Then outside their building, and for ungrouped resources, they are refused
    for rid in (outside, loose):
        refused = send_json(client, "PATCH", f"/api/v1/resources/{rid}", {"capacity": 2}, manager)
        assert refused.status_code == 403
        assert error_code(refused) == "admin_required"
    assert assign(client, manager, g["south"], inside).status_code == 403
    assert assign(client, manager, g["north"], outside).status_code == 403
    # they cannot change the tree itself
    assert send_json(client, "POST", GROUPS, {"name": "X"}, manager).status_code == 403
    # and a plain user is refused everywhere
    plain = register_and_login(client, "paula")
    assert (
        send_json(
            client, "PATCH", f"/api/v1/resources/{inside}", {"capacity": 1}, plain
        ).status_code
        == 403
    )
    # After revocation the manager is a plain user again
    send_json(client, "DELETE", f"{GROUPS}/{g['north']}/admins/{manny}", None, admin_token)
    again = send_json(client, "PATCH", f"/api/v1/resources/{inside}", {"capacity": 3}, manager)
    assert again.status_code == 403


def test_bad_input_is_a_4xx(client: Client, admin_token: str) -> None:
    cases = [
        ("POST", GROUPS, {"name": ""}),
        ("POST", GROUPS, {"name": "x", "kind": "planet"}),
        ("POST", GROUPS, {"name": "x", "parent_id": "missing"}),
        ("PATCH", f"{GROUPS}/missing", {"name": "y"}),
        ("POST", f"{GROUPS}/missing/resources", {"resource_id": "r"}),
        ("PUT", f"{GROUPS}/missing/admins/u1", None),
    ]
    for method, path, body in cases:
        response = send_json(client, method, path, body, admin_token)
        assert 400 <= response.status_code < 500, (method, path, response.body)
        assert "error" in response.json_body
