"""The endpoint wrapper: every failure leaves as a JSON error, never a 500 stack trace."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from chalice.app import Blueprint, Chalice
from chalice.test import Client
from pydantic import Field

from chalicelib.api.middleware import reshape_errors
from chalicelib.api.routing import RequestContext, RouteSpec, endpoint
from chalicelib.api.schemas.common import PageQuery, Strict, UtcDatetime
from chalicelib.domain.errors import Conflict, TooManyRequests


class Booking(Strict):
    name: str = Field(min_length=1)
    start: UtcDatetime
    seats: int = Field(ge=1)


def make_blueprint() -> Blueprint:
    """A fresh blueprint per test: Chalice blueprints remember the last app they joined."""
    bp = Blueprint(__name__)
    registry: list[RouteSpec] = []

    @endpoint(
        bp,
        "/t/echo",
        "POST",
        summary="echo",
        auth="none",
        body=Booking,
        status=201,
        registry=registry,
    )
    def echo(ctx: RequestContext) -> Booking:
        return ctx.body  # type: ignore[no-any-return]

    @endpoint(bp, "/t/page", summary="page", auth="none", query=PageQuery, registry=registry)
    def page(ctx: RequestContext) -> dict[str, object]:
        return {"limit": ctx.query.limit}

    @endpoint(bp, "/t/conflict", "POST", summary="c", auth="none", registry=registry)
    def conflict(ctx: RequestContext) -> None:
        raise Conflict("slot taken", code="reservation_conflict", details={"conflicts": []})

    @endpoint(bp, "/t/slow-down", summary="r", auth="none", registry=registry)
    def slow_down(ctx: RequestContext) -> None:
        raise TooManyRequests("slow down", retry_after=7)

    @endpoint(bp, "/t/boom", summary="b", auth="none", registry=registry)
    def boom(ctx: RequestContext) -> None:
        raise RuntimeError("secret internals")

    @endpoint(bp, "/t/private", summary="p", auth="user", registry=registry)
    def private(ctx: RequestContext) -> None:
        return None

    return bp


@pytest.fixture
def test_client() -> Iterator[Client]:
    app = Chalice(app_name="routing-test")
    app.register_middleware(reshape_errors, "http")
    app.register_blueprint(make_blueprint())
    with Client(app) as client:
        yield client


def _post(client: Client, path: str, body: str, ctype: str = "application/json") -> object:
    return client.http.post(path, body=body, headers={"Content-Type": ctype})


def _error(response: object) -> dict[str, object]:
    body = response.json_body  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]


def test_valid_body_round_trips_with_utc_z(test_client: Client) -> None:
    payload = {"name": "a", "start": "2026-03-29T11:00:00+02:00", "seats": 2}
    response = _post(test_client, "/t/echo", json.dumps(payload))
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json_body["start"] == "2026-03-29T09:00:00.000Z"  # type: ignore[attr-defined]


def test_malformed_json_is_400(test_client: Client) -> None:
    response = _post(test_client, "/t/echo", "{not json")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert _error(response)["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": "2026-03-29T11:00:00Z", "seats": 1}, "name"),
        ({"name": "a", "start": "2026-03-29T11:00:00", "seats": 1}, "start"),
        ({"name": "a", "start": "2026-03-29T11:00:00Z", "seats": "many"}, "seats"),
        ({"name": "a", "start": "2026-03-29T11:00:00Z", "seats": 1, "typo": 1}, "typo"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    test_client: Client, payload: dict[str, object], field: str
) -> None:
    response = _post(test_client, "/t/echo", json.dumps(payload))
    assert response.status_code == 422  # type: ignore[attr-defined]
    error = _error(response)
    assert error["code"] == "validation_error"
    assert field in [d["field"] for d in error["details"]]  # type: ignore[attr-defined]


def test_body_must_be_an_object(test_client: Client) -> None:
    response = _post(test_client, "/t/echo", "[1, 2]")
    assert response.status_code == 422  # type: ignore[attr-defined]


def test_wrong_content_type_is_json_415(test_client: Client) -> None:
    response = _post(test_client, "/t/echo", "a=b", "text/plain")
    assert response.status_code == 415  # type: ignore[attr-defined]
    assert _error(response)["code"] == "unsupported_media_type"


def test_query_is_validated(test_client: Client) -> None:
    assert test_client.http.get("/t/page?limit=5").json_body == {"limit": 5}
    response = test_client.http.get("/t/page?limit=1000")
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "limit"  # type: ignore[index]


def test_domain_errors_map_to_status_and_headers(test_client: Client) -> None:
    response = _post(test_client, "/t/conflict", "{}")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert _error(response)["code"] == "reservation_conflict"
    limited = test_client.http.get("/t/slow-down")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"


def test_unexpected_errors_hide_internals(test_client: Client) -> None:
    response = test_client.http.get("/t/boom")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "internal_error"
    assert "secret" not in response.body.decode()


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer "])
def test_missing_or_malformed_bearer_is_401(test_client: Client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = test_client.http.get("/t/private", headers=headers)
    assert response.status_code == 401
    assert _error(response)["code"] == "not_authenticated"
