"""Saved searches (owner-only) and suggestions through the API."""

from __future__ import annotations

from chalice.test import Client

from tests.factories import error_code, register_and_login, send_json
from tests.resource_factories import create_resource, get_json

SAVED = "/api/v1/search/saved"


def test_save_list_run_delete_owner_only(client: Client, admin_token: str, user_token: str) -> None:
    create_resource(client, admin_token, "Projector Room", tags=["projector"], capacity=10)
    create_resource(client, admin_token, "Broom Cupboard", capacity=1)
    saved = send_json(
        client, "POST", SAVED, {"name": "Big rooms", "filters": {"capacity_min": 5}}, user_token
    )
    assert saved.status_code == 201, saved.body
    sid = saved.json_body["search_id"]
    listed = get_json(client, SAVED, user_token).json_body["items"]
    assert [s["name"] for s in listed] == ["Big rooms"]
    run = send_json(client, "POST", f"{SAVED}/{sid}/execute", None, user_token)
    assert run.status_code == 200, run.body
    assert [r["name"] for r in run.json_body["items"]] == ["Projector Room"]
    # another user (even an admin) sees nothing of it
    bob = register_and_login(client, "bob")
    for token in (bob, admin_token):
        assert get_json(client, f"{SAVED}/{sid}", token).status_code == 404
        assert send_json(client, "POST", f"{SAVED}/{sid}/execute", None, token).status_code == 404
        assert send_json(client, "DELETE", f"{SAVED}/{sid}", None, token).status_code == 404
        assert get_json(client, SAVED, token).json_body["items"] == []
    assert send_json(client, "DELETE", f"{SAVED}/{sid}", None, user_token).status_code == 200
    assert get_json(client, SAVED, user_token).json_body["items"] == []


def test_invalid_filters_are_refused_when_saving(client: Client, user_token: str) -> None:
    for filters in ({"capacity_min": "lots"}, {"nope": 1}, {"limit": 5}):
        refused = send_json(client, "POST", SAVED, {"name": "x", "filters": filters}, user_token)
        assert refused.status_code == 422, filters
        assert error_code(refused) == "invalid_filters"


def test_suggestions_cover_names_tags_labels_and_groups(
    client: Client, admin_token: str, user_token: str
) -> None:
    create_resource(client, admin_token, "Projector Room", tags=["projection"])
    create_resource(client, admin_token, "Pantry")
    send_json(client, "POST", "/api/v1/labels", {"name": "equipment:projector"}, admin_token)
    send_json(client, "POST", "/api/v1/resource-groups", {"name": "Projects wing"}, admin_token)
    found = get_json(client, "/api/v1/search/suggestions?q=proj", user_token)
    assert found.status_code == 200, found.body
    got = {(s["kind"], s["text"]) for s in found.json_body["items"]}
    assert got == {
        ("resource", "Projector Room"),
        ("tag", "projection"),
        ("label", "equipment:projector"),
        ("group", "Projects wing"),
    }
    assert get_json(client, "/api/v1/search/suggestions?q=", user_token).status_code == 422
    limited = get_json(client, "/api/v1/search/suggestions?q=p&limit=1", user_token).json_body
    assert sum(1 for s in limited["items"] if s["kind"] == "resource") == 1
