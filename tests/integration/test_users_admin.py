"""Admin user management: listing, roles, enable/disable; and who may call it."""

from __future__ import annotations

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.principal import Channel
from tests.factories import (
    auth_headers,
    error_code,
    register,
    send_json,
    user_id_of,
)

USERS = "/api/v1/auth/admin/users"


def test_admin_lists_users_page_by_page(client: Client, admin_token: str) -> None:
    # Given five accounts besides the admin
    for name in ("user-a", "user-b", "user-c", "user-d", "user-e"):
        register(client, name)
    # When the admin pages through two at a time
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        path = f"{USERS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.http.get(path, headers=auth_headers(admin_token)).json_body
        assert len(page["items"]) <= 2
        seen += [u["username"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every user appears once, in username order
    assert seen == ["admin", "user-a", "user-b", "user-c", "user-d", "user-e"]


def test_admin_filters_users_by_username_prefix(client: Client, admin_token: str) -> None:
    for name in ("team.one", "team.two", "other"):
        register(client, name)
    page = client.http.get(f"{USERS}?q=Team.", headers=auth_headers(admin_token)).json_body
    assert [u["username"] for u in page["items"]] == ["team.one", "team.two"]


def test_listing_refuses_bad_cursors_and_limits(client: Client, admin_token: str) -> None:
    headers = auth_headers(admin_token)
    tampered = client.http.get(f"{USERS}?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAA", headers=headers)
    assert tampered.status_code == 422
    assert error_code(tampered) == "invalid_cursor"
    assert client.http.get(f"{USERS}?limit=0", headers=headers).status_code == 422
    assert client.http.get(f"{USERS}?limit=abc", headers=headers).status_code == 422
    assert client.http.get(f"{USERS}?bogus=1", headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", USERS),
        ("GET", "/api/v1/roles/"),
        ("POST", "/api/v1/roles/assign"),
        ("DELETE", "/api/v1/roles/assign"),
        ("POST", "/api/v1/admin/users/someone/disable"),
        ("POST", "/api/v1/admin/users/someone/enable"),
        ("POST", "/api/v1/auth/admin/reset-password"),
    ],
)
def test_admin_routes_refuse_anonymous_and_users(
    client: Client, user_token: str, method: str, path: str
) -> None:
    body = {"user_id": "someone", "role": "admin"}
    anonymous = send_json(client, method, path, body)
    assert anonymous.status_code == 401
    as_user = send_json(client, method, path, body, user_token)
    assert as_user.status_code == 403
    assert error_code(as_user) == "admin_required"


def test_roles_lists_the_three_roles(client: Client, admin_token: str) -> None:
    roles = client.http.get("/api/v1/roles/", headers=auth_headers(admin_token)).json_body
    assert {r["name"] for r in roles} == {"admin", "user", "guest"}
    assert all(r["description"] for r in roles)


def test_new_users_have_the_user_role(client: Client, user_token: str) -> None:
    mine = client.http.get("/api/v1/roles/my-roles", headers=auth_headers(user_token))
    assert mine.json_body == ["user"]


def test_assigned_role_takes_effect_on_existing_tokens(
    client: Client, admin_token: str, user_token: str
) -> None:
    # Given alice, a user, is refused on admin routes
    assert client.http.get(USERS, headers=auth_headers(user_token)).status_code == 403
    # When the admin makes her admin
    alice_id = user_id_of(client, user_token)
    response = send_json(
        client, "POST", "/api/v1/roles/assign", {"user_id": alice_id, "role": "admin"}, admin_token
    )
    assert response.status_code == 200
    assert response.json_body["roles"] == ["admin", "user"]
    # Then her current token works there (roles are read per request, not from the token)
    assert client.http.get(USERS, headers=auth_headers(user_token)).status_code == 200
    # And removing the role takes it away again
    send_json(
        client,
        "DELETE",
        "/api/v1/roles/assign",
        {"user_id": alice_id, "role": "admin"},
        admin_token,
    )
    assert client.http.get(USERS, headers=auth_headers(user_token)).status_code == 403


def test_a_user_demoted_to_guest_is_read_only(
    client: Client, admin_token: str, user_token: str
) -> None:
    alice_id = user_id_of(client, user_token)
    send_json(
        client, "POST", "/api/v1/roles/assign", {"user_id": alice_id, "role": "guest"}, admin_token
    )
    send_json(
        client, "DELETE", "/api/v1/roles/assign", {"user_id": alice_id, "role": "user"}, admin_token
    )
    mine = client.http.get("/api/v1/roles/my-roles", headers=auth_headers(user_token)).json_body
    assert mine == ["guest"]
    principal = wiring.authenticator().authenticate(
        user_token, client_ip="127.0.0.1", channel=Channel.API
    )
    assert principal.can("resources:read")
    assert not principal.can("reservations:write")


def test_a_user_demoted_to_guest_keeps_reading_their_webhooks_but_changes_nothing(
    client: Client, admin_token: str, user_token: str
) -> None:
    # Given alice subscribed a webhook (and pinged it) while she was a user
    hooks = "/api/v1/webhooks"
    body = {"url": "https://hooks.example.com/x", "events": ["reservation.created"]}
    hook_id = send_json(client, "POST", hooks, body, user_token).json_body["webhook_id"]
    ping = send_json(client, "POST", f"{hooks}/{hook_id}/test", None, user_token)
    delivery = f"{hooks}/{hook_id}/deliveries/{ping.json_body['delivery_id']}"
    # When the admin demotes her to guest (issue 9, finding 13)
    alice_id = user_id_of(client, user_token)
    for method, role in (("POST", "guest"), ("DELETE", "user")):
        send_json(
            client, method, "/api/v1/roles/assign", {"user_id": alice_id, "role": role}, admin_token
        )
    # Then she still reads the webhook and its deliveries
    for path in (hooks, f"{hooks}/{hook_id}", f"{hooks}/{hook_id}/deliveries", delivery):
        assert client.http.get(path, headers=auth_headers(user_token)).status_code == 200, path
    # But every write of it is refused as read-only, and it is unchanged
    writes = [
        ("POST", hooks, body),
        ("PATCH", f"{hooks}/{hook_id}", {"url": "https://elsewhere.example.com/"}),
        ("POST", f"{hooks}/{hook_id}/rotate-secret", None),
        ("POST", f"{hooks}/{hook_id}/regenerate-secret", None),
        ("POST", f"{hooks}/{hook_id}/test", None),
        ("POST", f"{delivery}/redeliver", None),
        ("POST", f"{delivery}/retry", None),
        ("DELETE", f"{hooks}/{hook_id}", None),
    ]
    for method, path, payload in writes:
        refused = send_json(client, method, path, payload, user_token)
        assert refused.status_code == 403, (method, path, refused.body)
        assert error_code(refused) == "guest_read_only"
    kept = client.http.get(f"{hooks}/{hook_id}", headers=auth_headers(user_token)).json_body
    assert kept["url"] == "https://hooks.example.com/x"
    # And her own account stays hers to manage (self-service writes)
    assert (
        send_json(
            client, "PATCH", "/api/v1/users/me", {"timezone": "Europe/Berlin"}, user_token
        ).status_code
        == 200
    )


def test_an_admin_cannot_remove_their_own_admin_role(client: Client, admin_token: str) -> None:
    admin_id = user_id_of(client, admin_token)
    response = send_json(
        client,
        "DELETE",
        "/api/v1/roles/assign",
        {"user_id": admin_id, "role": "admin"},
        admin_token,
    )
    assert response.status_code == 409
    assert error_code(response) == "cannot_remove_own_admin"


def test_role_assignment_validates_its_body(client: Client, admin_token: str) -> None:
    path = "/api/v1/roles/assign"
    # Any other name than a built-in role names a custom role (roles14): none is called root.
    bad_role = send_json(client, "POST", path, {"user_id": "x", "role": "root"}, admin_token)
    assert bad_role.status_code == 404
    assert error_code(bad_role) == "role_not_found"
    assert send_json(client, "POST", path, {"role": "user"}, admin_token).status_code == 422
    unknown = send_json(client, "POST", path, {"user_id": "nobody", "role": "user"}, admin_token)
    assert unknown.status_code == 404


def test_admin_cannot_disable_themselves_or_unknown_users(client: Client, admin_token: str) -> None:
    admin_id = user_id_of(client, admin_token)
    me = send_json(client, "POST", f"/api/v1/admin/users/{admin_id}/disable", None, admin_token)
    assert me.status_code == 409
    assert error_code(me) == "cannot_disable_self"
    ghost = send_json(client, "POST", "/api/v1/admin/users/nobody/disable", None, admin_token)
    assert ghost.status_code == 404
