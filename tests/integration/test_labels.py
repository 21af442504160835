"""Labels through the API: CRUD, categories, a resource's labels, filters, merge."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.factories import error_code, register_and_login, send_json
from tests.resource_factories import create_resource, get_json

LABELS = "/api/v1/labels"


def make_label(client: Client, token: str, name: str, color: str = "#112233") -> str:
    response = send_json(client, "POST", LABELS, {"name": name, "color": color}, token)
    assert response.status_code == 201, response.body
    return str(response.json_body["label_id"])


def set_labels(client: Client, token: str, rid: str, ids: list[str]) -> Any:
    return send_json(client, "PUT", f"{LABELS}/resources/{rid}", {"label_ids": ids}, token)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.body
    return sorted(item["name"] for item in response.json_body["items"])


def test_labels_crud_and_categories(client: Client, admin_token: str, user_token: str) -> None:
    proj = make_label(client, admin_token, "equipment:projector", "#AABBCC")
    make_label(client, admin_token, "equipment:whiteboard")
    make_label(client, admin_token, "floor:3")
    # names are unique whatever the case
    dup = send_json(client, "POST", LABELS, {"name": "Equipment:Projector"}, admin_token)
    assert dup.status_code == 409 and error_code(dup) == "label_name_taken"
    got = get_json(client, f"{LABELS}/{proj}", user_token).json_body
    assert (got["name"], got["color"]) == ("equipment:projector", "#aabbcc")
    cats = get_json(client, f"{LABELS}/categories", user_token).json_body["items"]
    assert cats == [{"category": "equipment", "labels": 2}, {"category": "floor", "labels": 1}]
    assert names(get_json(client, f"{LABELS}?category=equipment", user_token)) == [
        "equipment:projector",
        "equipment:whiteboard",
    ]
    renamed = send_json(client, "PUT", f"{LABELS}/{proj}", {"value": "beamer"}, admin_token)
    assert renamed.json_body["name"] == "equipment:beamer"
    # the old name is free again, the new one taken
    make_label(client, admin_token, "equipment:projector")
    # users read but do not write
    assert send_json(client, "POST", LABELS, {"name": "a:b"}, user_token).status_code == 403
    for bad in ({"name": "nocolon"}, {"name": "a:b", "color": "red"}, {"name": ":x"}):
        refused = send_json(client, "POST", LABELS, bad, admin_token)
        assert refused.status_code == 422, bad


def test_label_filters_all_and_any(client: Client, admin_token: str) -> None:
    proj = make_label(client, admin_token, "equipment:projector")
    board = make_label(client, admin_token, "equipment:whiteboard")
    a = create_resource(client, admin_token, "A")["resource_id"]
    b = create_resource(client, admin_token, "B")["resource_id"]
    create_resource(client, admin_token, "C")
    assert set_labels(client, admin_token, a, [proj, board]).status_code == 200
    assert set_labels(client, admin_token, b, [board]).status_code == 200
    base = "/api/v1/resources"
    assert names(get_json(client, f"{base}?labels={proj},{board}", admin_token)) == ["A"]
    assert names(
        get_json(client, f"{base}?labels={proj},{board}&label_match=any", admin_token)
    ) == ["A", "B"]
    mine = get_json(client, f"{LABELS}/resources/{a}", admin_token).json_body
    assert [lb["name"] for lb in mine["labels"]] == ["equipment:projector", "equipment:whiteboard"]
    unknown = set_labels(client, admin_token, a, ["nope"])
    assert unknown.status_code == 404 and error_code(unknown) == "label_not_found"


def test_merge_moves_every_resource_then_deletes_the_source(
    client: Client, admin_token: str
) -> None:
    beamer = make_label(client, admin_token, "equipment:beamer")
    proj = make_label(client, admin_token, "equipment:projector")
    rids = [create_resource(client, admin_token, f"R{i}")["resource_id"] for i in range(3)]
    set_labels(client, admin_token, rids[0], [beamer])
    set_labels(client, admin_token, rids[1], [beamer, proj])
    set_labels(client, admin_token, rids[2], [proj])
    merged = send_json(
        client, "POST", f"{LABELS}/merge", {"source_id": beamer, "target_id": proj}, admin_token
    )
    assert merged.status_code == 200, merged.body
    assert (merged.json_body["moved"], merged.json_body["complete"]) == (2, True)
    for rid in rids:
        body = get_json(client, f"/api/v1/resources/{rid}", admin_token).json_body
        assert body["labels"] == [proj]
    assert get_json(client, f"{LABELS}/{beamer}", admin_token).status_code == 404
    same = send_json(
        client, "POST", f"{LABELS}/merge", {"source_id": proj, "target_id": proj}, admin_token
    )
    assert same.status_code == 422


def test_deleting_a_label_takes_it_off_resources(client: Client, admin_token: str) -> None:
    proj = make_label(client, admin_token, "equipment:projector")
    rid = create_resource(client, admin_token, "R")["resource_id"]
    set_labels(client, admin_token, rid, [proj])
    gone = send_json(client, "DELETE", f"{LABELS}/{proj}", None, admin_token)
    assert gone.json_body == {"label_id": proj, "removed_from": 1}
    assert get_json(client, f"/api/v1/resources/{rid}", admin_token).json_body["labels"] == []


def test_a_plain_user_cannot_label_resources(client: Client, admin_token: str) -> None:
    proj = make_label(client, admin_token, "equipment:projector")
    rid = create_resource(client, admin_token, "R")["resource_id"]
    plain = register_and_login(client, "paula")
    refused = set_labels(client, plain, rid, [proj])
    assert refused.status_code == 403
