"""Hostile input is bounded at the door, on every route (issue 9, finding 5).

`'[' * 100000` as a body was a RecursionError and a 500; a 2 KB id in a path became a
DynamoDB key and an AWS error. Now: a body that does not parse is a 400, a body over the limit
a 413, an over-long path id a 404 and an over-long query value a 422, all in the error
envelope. Generated from the route registry, like test_no_500.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.api.routing import (
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    MAX_QUERY_VALUE_LENGTH,
    ROUTES,
    RouteSpec,
)

_PARAM = re.compile(r"{[^}]+}")
_SOME_ID = "01NOSUCHID0000000000000000"
_LONG_ID = "A" * 2048


def _routes() -> list[RouteSpec]:
    import app  # noqa: F401  (registers every blueprint's routes)

    return [r for r in ROUTES if r.path.startswith("/api/")]


def _with_body(route: RouteSpec) -> bool:
    return route.method in {"POST", "PUT", "PATCH"}


def _error(response: Any, status: int, where: str) -> dict[str, Any]:
    assert response.status_code == status, (where, response.status_code, response.body[:300])
    body = response.json_body
    assert set(body) == {"error"}, (where, body)
    assert {"code", "message", "details"} <= set(body["error"]), (where, body)
    return dict(body["error"])


def _headers(token: str, route: RouteSpec) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": route.content_types[0]}


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("the reported bomb", "[" * 100_000),
        ("deep objects", '{"a":' * 5_000 + "1" + "}" * 5_000),
        ("just past the limit", "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)),
        ("nested inside an object", '{"name": ' + "[" * 200 + "]" * 200 + "}"),
    ],
)
def test_json_nested_too_deep_is_a_400_on_every_route(
    client: Client, admin_token: str, label: str, body: str
) -> None:
    for route in (
        r for r in _routes() if r.body is not None and "application/json" in r.content_types
    ):
        # Given a body nested deeper than any schema, When any JSON route receives it
        path = _PARAM.sub(_SOME_ID, route.path)
        headers = {**_headers(admin_token, route), "Content-Type": "application/json"}
        response = client.http.request(route.method, path, body=body, headers=headers)
        # Then it is a 400 in the envelope, not a 500
        error = _error(response, 400, f"{route.method} {path} [{label}]")
        assert error["code"] == "json_too_deep"


def test_a_body_over_the_size_limit_is_a_413_on_every_route(
    client: Client, admin_token: str
) -> None:
    oversized = '{"name": "' + "x" * MAX_BODY_BYTES + '"}'
    for route in (r for r in _routes() if _with_body(r)):
        path = _PARAM.sub(_SOME_ID, route.path)
        response = client.http.request(
            route.method, path, body=oversized, headers=_headers(admin_token, route)
        )
        error = _error(response, 413, f"{route.method} {path}")
        assert error["code"] == "body_too_large"
        assert error["details"] == {"max_bytes": MAX_BODY_BYTES}


@pytest.mark.parametrize("who", ["user", "admin"])
def test_a_path_id_longer_than_any_id_is_a_404_on_every_route(
    client: Client, who: str, admin_token: str, user_token: str
) -> None:
    token = admin_token if who == "admin" else user_token
    for route in (r for r in _routes() if _PARAM.search(r.path)):
        # Given a 2 KB value in every path parameter (once a DynamoDB key and an AWS error)
        path = _PARAM.sub(_LONG_ID, route.path)
        body = "{}" if _with_body(route) else None
        response = client.http.request(
            route.method, path, body=body, headers=_headers(token, route)
        )
        # Then the route answers 404 (or refuses a user before looking), never a 500
        where = f"{who} {route.method} {route.path}"
        if who == "user" and response.status_code == 403:
            continue
        assert _error(response, 404, where)["code"] == "not_found"


def test_an_over_long_query_value_is_a_422(client: Client, admin_token: str) -> None:
    long_value = "c" * (MAX_QUERY_VALUE_LENGTH + 1)
    for route in (r for r in _routes() if r.query is not None and not _PARAM.search(r.path)):
        name = next(iter(route.query.model_fields)) if route.query else "cursor"
        path = f"{route.path}?{name}={long_value}"
        response = client.http.request(route.method, path, headers=_headers(admin_token, route))
        error = _error(response, 422, f"{route.method} {path[:60]}")
        assert error["code"] == "validation_error"


@pytest.mark.parametrize("field", ["resource_id", "user_id"])
def test_an_over_long_id_in_a_query_never_reaches_the_table(
    client: Client, admin_token: str, field: str
) -> None:
    response = client.http.get(
        f"/api/v1/admin/reservations?{field}={_LONG_ID}",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert _error(response, 422, field)["code"] == "validation_error"


def test_an_over_long_id_in_a_bulk_cancel_is_a_422(client: Client, admin_token: str) -> None:
    response = client.http.post(
        "/api/v1/reservations/bulk/cancel",
        body='{"reservation_ids": ["' + _LONG_ID + '"]}',
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
    )
    assert _error(response, 422, "bulk cancel")["code"] == "validation_error"
