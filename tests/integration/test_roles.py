"""Custom roles (issue 14, roles14): CRUD by admins, built-ins protected, assignment to users
and OAuth clients, and a role granting exactly its scopes on real routes, at once."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import (
    auth_headers,
    error_code,
    post_form,
    post_json,
    register_and_login,
    send_json,
    user_id_of,
)
from tests.integration.reservations_kit import at, book, create_resource

ROLES = "/api/v1/roles"
ASSIGN = "/api/v1/roles/assign"
ASSIGN_CLIENT = "/api/v1/roles/assign-client"
CATALOG = ["resources:read", "resources:write"]


def _create(client: Client, admin: str, name: str = "catalog", scopes: Any = None) -> Any:
    body = {"name": name, "description": "edits the catalogue", "scopes": scopes or CATALOG}
    return post_json(client, ROLES, body, admin)


def _created(client: Client, admin: str, name: str = "catalog", scopes: Any = None) -> Any:
    response = _create(client, admin, name, scopes)
    assert response.status_code == 201, response.body
    return response.json_body


def _get(client: Client, path: str, token: str) -> Any:
    return client.http.get(path, headers=auth_headers(token))


def _guest(client: Client, admin: str, name: str) -> tuple[str, str]:
    """A user demoted to guest (read-only): the baseline a custom role adds to."""
    token = register_and_login(client, name)
    uid = user_id_of(client, token)
    removed = send_json(client, "DELETE", ASSIGN, {"user_id": uid, "role": "user"}, admin)
    assert removed.status_code == 200, removed.body
    return token, uid


def test_scopes_lists_every_known_scope_and_marks_admin_not_grantable(
    client: Client, admin_token: str
) -> None:
    scopes = _get(client, f"{ROLES}/scopes", admin_token).json_body
    by_name = {s["name"]: s for s in scopes}
    assert set(by_name) == {
        "resources:read",
        "resources:write",
        "reservations:read",
        "reservations:write",
        "admin",
    }
    assert by_name["admin"]["grantable"] is False
    assert by_name["resources:write"]["grantable"] is True


def test_admin_creates_shows_lists_edits_and_deletes_a_role(
    client: Client, admin_token: str
) -> None:
    # Given a new role
    created = _created(client, admin_token)
    assert created["builtin"] is False
    assert created["scopes"] == CATALOG
    assert created["version"] == 1
    assert created["holders"] == 0
    # Then it is listed after the three built-in roles and shown alone
    listed = _get(client, ROLES, admin_token).json_body
    assert [r["name"] for r in listed] == ["admin", "user", "guest", "catalog"]
    assert [r["builtin"] for r in listed] == [True, True, True, False]
    shown = _get(client, f"{ROLES}/catalog", admin_token).json_body
    assert shown["description"] == "edits the catalogue"
    # When PATCHed (scopes only), then PUT (everything), the version moves each time
    patched = send_json(
        client,
        "PATCH",
        f"{ROLES}/catalog",
        {"scopes": ["resources:read"], "version": 1},
        admin_token,
    )
    assert patched.status_code == 200, patched.body
    assert patched.json_body["scopes"] == ["resources:read"]
    assert patched.json_body["description"] == "edits the catalogue"
    assert patched.json_body["version"] == 2
    replaced = send_json(
        client,
        "PUT",
        f"{ROLES}/catalog",
        {"description": "reads", "scopes": ["resources:read", "reservations:read"]},
        admin_token,
    )
    assert replaced.json_body["version"] == 3
    assert replaced.json_body["description"] == "reads"
    # And deleted, it is gone
    deleted = send_json(client, "DELETE", f"{ROLES}/catalog?version=3", None, admin_token)
    assert deleted.status_code == 204
    assert _get(client, f"{ROLES}/catalog", admin_token).status_code == 404


def test_a_stale_version_is_refused_and_changes_nothing(client: Client, admin_token: str) -> None:
    _created(client, admin_token)
    send_json(client, "PATCH", f"{ROLES}/catalog", {"description": "first"}, admin_token)
    stale = send_json(
        client, "PATCH", f"{ROLES}/catalog", {"description": "lost", "version": 1}, admin_token
    )
    assert stale.status_code == 409
    assert error_code(stale) == "version_conflict"
    assert stale.json_body["error"]["details"]["current_version"] == 2
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["description"] == "first"
    stale_delete = send_json(client, "DELETE", f"{ROLES}/catalog?version=1", None, admin_token)
    assert error_code(stale_delete) == "version_conflict"


BAD_ROLES: list[tuple[dict[str, Any], int, str | None]] = [
    ({"name": "x", "scopes": CATALOG}, 422, "invalid_role_name"),
    ({"name": "Bad Name!", "scopes": CATALOG}, 422, "invalid_role_name"),
    ({"name": "scopes", "scopes": CATALOG}, 422, "invalid_role_name"),
    ({"name": "my-roles", "scopes": CATALOG}, 422, "invalid_role_name"),
    ({"name": "admin", "scopes": CATALOG}, 409, "builtin_role"),
    ({"name": "Guest", "scopes": ["resources:read"]}, 409, "builtin_role"),
    ({"name": "editor", "scopes": ["resources:delete"]}, 422, "invalid_scope"),
    ({"name": "editor", "scopes": []}, 422, "invalid_scope"),
    ({"name": "boss", "scopes": ["admin"]}, 422, "scope_not_grantable"),
    ({"name": "editor", "scopes": CATALOG, "extra": 1}, 422, None),
    ({"name": "editor", "scopes": "resources:read"}, 422, None),
    ({"name": "editor", "description": "d" * 201, "scopes": CATALOG}, 422, None),
    ({"scopes": CATALOG}, 422, None),
]


def test_bad_roles_are_refused(client: Client, admin_token: str) -> None:
    for body, status, code in BAD_ROLES:
        response = post_json(client, ROLES, body, admin_token)
        assert response.status_code == status, (body, response.body)
        if code is not None:
            assert error_code(response) == code
    names = [r["name"] for r in _get(client, ROLES, admin_token).json_body]
    assert names == ["admin", "user", "guest"]


def test_a_duplicate_name_is_refused(client: Client, admin_token: str) -> None:
    _created(client, admin_token)
    again = _create(client, admin_token, scopes=["resources:read"])
    assert again.status_code == 409
    assert error_code(again) == "role_exists"


@pytest.mark.parametrize("name", ["admin", "user", "guest"])
def test_builtin_roles_cannot_be_edited_or_deleted(
    client: Client, admin_token: str, name: str
) -> None:
    path = f"{ROLES}/{name}"
    for method, body in (
        ("PUT", {"description": "mine", "scopes": ["resources:read"]}),
        ("PATCH", {"scopes": ["resources:read"]}),
        ("DELETE", None),
    ):
        response = send_json(client, method, path, body, admin_token)
        assert response.status_code == 409, (method, response.body)
        assert error_code(response) == "builtin_role"
    shown = _get(client, path, admin_token).json_body
    assert shown["builtin"] is True
    assert shown["version"] is None


def test_unknown_roles_are_404(client: Client, admin_token: str) -> None:
    for method, body in (
        ("GET", None),
        ("PATCH", {"description": "x"}),
        ("PUT", {"description": "x", "scopes": CATALOG}),
        ("DELETE", None),
    ):
        response = send_json(client, method, f"{ROLES}/nobody", body, admin_token)
        assert response.status_code == 404, (method, response.body)
        assert error_code(response) == "role_not_found"


NON_ADMIN_CALLS: list[tuple[str, str, Any]] = [
    ("GET", f"{ROLES}/scopes", None),
    ("POST", ROLES, {"name": "sneaky", "scopes": CATALOG}),
    ("GET", f"{ROLES}/catalog", None),
    ("PUT", f"{ROLES}/catalog", {"description": "x", "scopes": CATALOG}),
    ("PATCH", f"{ROLES}/catalog", {"scopes": ["reservations:write"]}),
    ("DELETE", f"{ROLES}/catalog", None),
    ("POST", ASSIGN, {"user_id": "someone", "role": "catalog"}),
    ("POST", ASSIGN_CLIENT, {"client_id": "rrc_x", "role": "catalog"}),
    ("DELETE", ASSIGN_CLIENT, {"client_id": "rrc_x", "role": "catalog"}),
]


def test_only_admins_manage_roles(client: Client, admin_token: str, user_token: str) -> None:
    _created(client, admin_token)
    for method, path, body in NON_ADMIN_CALLS:
        assert send_json(client, method, path, body).status_code == 401
        refused = send_json(client, method, path, body, user_token)
        assert refused.status_code == 403, (method, path)
        assert error_code(refused) == "admin_required"
    # Nothing changed
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["version"] == 1
    assert [r["name"] for r in _get(client, ROLES, admin_token).json_body][-1] == "catalog"


def test_a_custom_role_grants_exactly_its_scopes_on_real_routes(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given gina, a read-only guest, and a role granting the catalogue's write scope
    create_resource("room-1")
    gina, gina_id = _guest(client, admin_token, "gina")
    _created(client, admin_token)
    new_resource = {"name": "Gina's room"}
    refused = send_json(client, "POST", "/api/v1/resources", new_resource, gina)
    assert refused.status_code == 403
    # When the admin gives her the role
    given = post_json(client, ASSIGN, {"user_id": gina_id, "role": "catalog"}, admin_token)
    assert given.status_code == 200, given.body
    assert given.json_body["custom_roles"] == ["catalog"]
    assert given.json_body["roles"] == ["guest"]
    # Then, with the token she already holds, she edits the catalogue
    made = send_json(client, "POST", "/api/v1/resources", new_resource, gina)
    assert made.status_code == 201, made.body
    # But she still may not book (reservations:write is not in the role), nor reach admin areas
    assert book(client, gina, at(10), at(11)).status_code == 403
    assert _get(client, "/api/v1/auth/admin/users", gina).status_code == 403
    assert _get(client, "/api/v1/roles/my-roles", gina).json_body == ["catalog", "guest"]
    # When the role loses the scope, it bites on her next request
    send_json(client, "PATCH", f"{ROLES}/catalog", {"scopes": ["resources:read"]}, admin_token)
    again = send_json(client, "POST", "/api/v1/resources", {"name": "Another"}, gina)
    assert again.status_code == 403


def test_a_booker_role_lets_a_guest_book(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    create_resource("room-1")
    gina, gina_id = _guest(client, admin_token, "gina")
    assert book(client, gina, at(10), at(11)).status_code == 403
    _created(client, admin_token, "booker", ["reservations:write"])
    post_json(client, ASSIGN, {"user_id": gina_id, "role": "booker"}, admin_token)
    assert book(client, gina, at(10), at(11)).status_code == 201
    # Unassigned, she is read-only again
    send_json(client, "DELETE", ASSIGN, {"user_id": gina_id, "role": "booker"}, admin_token)
    assert book(client, gina, at(12), at(13)).status_code == 403


def test_a_role_in_use_cannot_be_deleted_until_unassigned(
    client: Client, admin_token: str, user_token: str
) -> None:
    _created(client, admin_token)
    alice = user_id_of(client, user_token)
    post_json(client, ASSIGN, {"user_id": alice, "role": "catalog"}, admin_token)
    # Assigning twice is harmless: still one holder
    again = post_json(client, ASSIGN, {"user_id": alice, "role": "catalog"}, admin_token)
    assert again.status_code == 200
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["holders"] == 1
    refused = send_json(client, "DELETE", f"{ROLES}/catalog", None, admin_token)
    assert refused.status_code == 409
    assert error_code(refused) == "role_in_use"
    assert refused.json_body["error"]["details"]["holders"] == 1
    send_json(client, "DELETE", ASSIGN, {"user_id": alice, "role": "catalog"}, admin_token)
    # Unassigning twice is harmless too: no holder count below zero
    send_json(client, "DELETE", ASSIGN, {"user_id": alice, "role": "catalog"}, admin_token)
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["holders"] == 0
    assert send_json(client, "DELETE", f"{ROLES}/catalog", None, admin_token).status_code == 204


BAD_ASSIGNMENTS: list[tuple[dict[str, Any], int, str | None]] = [
    ({"user_id": "01NOSUCHUSER", "role": "catalog"}, 404, "user_not_found"),
    ({"user_id": "ALICE", "role": "nothing"}, 404, "role_not_found"),
    ({"user_id": "ALICE", "role": "Not A Role"}, 404, "role_not_found"),
    ({"user_id": "ALICE"}, 422, None),
    ({"user_id": "ALICE", "role": "catalog", "more": True}, 422, None),
]


def test_bad_assignments_are_refused(client: Client, admin_token: str, user_token: str) -> None:
    _created(client, admin_token)
    alice = user_id_of(client, user_token)
    for raw, status, code in BAD_ASSIGNMENTS:
        body = {**raw, "user_id": alice} if raw.get("user_id") == "ALICE" else raw
        response = post_json(client, ASSIGN, body, admin_token)
        assert response.status_code == status, (body, response.body)
        if code is not None:
            assert error_code(response) == code
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["holders"] == 0


def test_builtin_roles_are_still_assigned_through_the_same_route(
    client: Client, admin_token: str, user_token: str
) -> None:
    alice = user_id_of(client, user_token)
    made = post_json(client, ASSIGN, {"user_id": alice, "role": "admin"}, admin_token)
    assert made.json_body["is_admin"] is True
    assert made.json_body["custom_roles"] == []
    own = send_json(
        client,
        "DELETE",
        ASSIGN,
        {"user_id": user_id_of(client, admin_token), "role": "admin"},
        admin_token,
    )
    assert error_code(own) == "cannot_remove_own_admin"


def _oauth_client(client: Client, admin: str, scopes: list[str]) -> dict[str, Any]:
    body = {"name": "catalogue robot", "scopes": scopes}
    response = post_json(client, "/api/v1/oauth/clients", body, admin)
    assert response.status_code == 201, response.body
    created: dict[str, Any] = response.json_body
    return created


def _client_token(client: Client, app: dict[str, Any], scope: str | None = None) -> Any:
    fields = {
        "grant_type": "client_credentials",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    if scope is not None:
        fields["scope"] = scope
    return post_form(client, "/api/v1/oauth/token", fields)


def test_an_oauth_client_gets_scopes_through_a_role(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given a client that may only read, and a role granting catalogue writes
    app = _oauth_client(client, admin_token, ["resources:read"])
    _created(client, admin_token)
    assert _client_token(client, app, "resources:write").status_code == 400
    # When the role is given to the client
    given = post_json(
        client, ASSIGN_CLIENT, {"client_id": app["client_id"], "role": "catalog"}, admin_token
    )
    assert given.status_code == 200, given.body
    assert given.json_body == {
        "client_id": app["client_id"],
        "roles": ["catalog"],
        "scopes": CATALOG,
    }
    # Then the client may ask for the role's scope and use it
    issued = _client_token(client, app, "resources:read resources:write")
    assert issued.status_code == 200, issued.body
    token = issued.json_body["access_token"]
    made = send_json(client, "POST", "/api/v1/resources", {"name": "By robot"}, token)
    assert made.status_code == 201, made.body
    # The role is in use while the client holds it
    assert error_code(send_json(client, "DELETE", f"{ROLES}/catalog", None, admin_token)) == (
        "role_in_use"
    )
    # When the role is taken back, the token it got loses the scope at once
    send_json(
        client,
        "DELETE",
        ASSIGN_CLIENT,
        {"client_id": app["client_id"], "role": "catalog"},
        admin_token,
    )
    again = send_json(client, "POST", "/api/v1/resources", {"name": "Again"}, token)
    assert again.status_code == 403
    assert send_json(client, "DELETE", f"{ROLES}/catalog", None, admin_token).status_code == 204


def test_a_deleted_client_gives_its_roles_back(client: Client, admin_token: str) -> None:
    app = _oauth_client(client, admin_token, ["resources:read"])
    _created(client, admin_token)
    post_json(
        client, ASSIGN_CLIENT, {"client_id": app["client_id"], "role": "catalog"}, admin_token
    )
    path = f"/api/v1/oauth/clients/{app['client_id']}"
    assert send_json(client, "DELETE", path, None, admin_token).status_code == 204
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["holders"] == 0


def test_bad_client_assignments_are_refused(client: Client, admin_token: str) -> None:
    app = _oauth_client(client, admin_token, ["resources:read"])
    _created(client, admin_token)
    cases = [
        ({"client_id": "rrc_nobody", "role": "catalog"}, 404, "client_not_found"),
        ({"client_id": app["client_id"], "role": "nothing"}, 404, "role_not_found"),
        ({"client_id": app["client_id"], "role": "admin"}, 409, "builtin_role"),
        ({"client_id": app["client_id"]}, 422, None),
    ]
    for body, status, code in cases:
        response = post_json(client, ASSIGN_CLIENT, body, admin_token)
        assert response.status_code == status, (body, response.body)
        if code is not None:
            assert error_code(response) == code
    assert _get(client, f"{ROLES}/catalog", admin_token).json_body["holders"] == 0


def test_role_changes_are_audited(client: Client, clock: FrozenClock, admin_token: str) -> None:
    from app import app
    from tests.integration.pipeline_driver import Pipeline

    pipeline = Pipeline(app)
    admin_id = user_id_of(client, admin_token)
    _created(client, admin_token)
    send_json(client, "PATCH", f"{ROLES}/catalog", {"description": "changed"}, admin_token)
    send_json(client, "DELETE", f"{ROLES}/catalog", None, admin_token)
    pipeline.run()
    page = _get(client, "/api/v1/audit/entity/role/catalog", admin_token).json_body
    entries = {e["action"]: e for e in page["items"]}
    assert sorted(e["action"] for e in page["items"]) == ["created", "deleted", "updated"]
    assert {e["actor_id"] for e in entries.values()} == {admin_id}
    assert entries["updated"]["changes"]["description"] == {
        "before": "edits the catalogue",
        "after": "changed",
    }


def test_client_role_assignments_are_audited(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    from app import app
    from tests.integration.pipeline_driver import Pipeline

    pipeline = Pipeline(app)
    robot = _oauth_client(client, admin_token, ["resources:read"])
    _created(client, admin_token)
    body = {"client_id": robot["client_id"], "role": "catalog"}
    assert post_json(client, ASSIGN_CLIENT, body, admin_token).status_code == 200
    pipeline.run()
    path = f"/api/v1/audit/entity/client_roles/{robot['client_id']}"
    entries = _get(client, path, admin_token).json_body["items"]
    assert [e["action"] for e in entries] == ["created"]
    assert entries[0]["actor_id"] == user_id_of(client, admin_token)
    assert entries[0]["changes"]["roles"]["after"] == ["catalog"]
