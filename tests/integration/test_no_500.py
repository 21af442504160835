"""Every route, fed bad input by every kind of caller, answers 4xx JSON: never a 500.

Generated from the route registry (the same one /openapi.json is built from), so a new route
is covered the day it is added.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.api.routing import ROUTES, RouteSpec

_PARAM = re.compile(r"{[^}]+}")
_BODIES: list[tuple[str, str]] = [
    ("malformed", "{not json"),
    ("empty", "{}"),
    ("array", "[1, 2]"),
    ("wrong types", json.dumps({"name": 1, "start_time": "soon", "limit": "x", "id": []})),
]
_QUERIES = ["", "?limit=0&cursor=%%%&from=yesterday&date=13-13", "?limit=1000000"]


def _routes() -> list[RouteSpec]:
    import app  # noqa: F401  (registers every blueprint's routes)

    return [r for r in ROUTES if r.path.startswith("/api/")]


def _error_shape(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.body[:300])
    if response.status_code >= 400:
        body = response.json_body
        assert set(body) == {"error"}, (where, body)
        assert {"code", "message", "details"} <= set(body["error"]), (where, body)


@pytest.mark.parametrize("who", ["anonymous", "user", "admin"])
def test_every_route_refuses_bad_input_with_a_4xx_json_error(
    client: Client, who: str, admin_token: str, user_token: str
) -> None:
    token = {"anonymous": None, "user": user_token, "admin": admin_token}[who]
    routes = _routes()
    assert len(routes) >= 90  # the registry really holds the API
    for route in routes:
        path = _PARAM.sub("01NOSUCHID0000000000000000", route.path)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if route.method in ("GET", "DELETE"):
            for query in _QUERIES:
                response = client.http.request(route.method, path + query, headers=headers)
                _error_shape(response, f"{who} {route.method} {path}{query}")
            continue
        for label, body in _BODIES:
            response = client.http.request(
                route.method,
                path,
                body=body,
                headers={**headers, "Content-Type": route.content_types[0]},
            )
            _error_shape(response, f"{who} {route.method} {path} [{label}]")
