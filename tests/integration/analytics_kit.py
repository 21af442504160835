"""A small world for the analytics tests: a room with check-in, alice and bob, bookings that
are checked in, cancelled and missed, and the pipeline run until the counters caught up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from chalice.test import Client

from chalicelib.store import dynamo
from chalicelib.store.reservations.items import table_name
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, auth_headers, login, send_json
from tests.integration.reservations_kit import book

TODAY = date(2026, 11, 24)  # the frozen clock stands at 09:00 on this day
ROOM = "room-1"
ANALYTICS = "/api/v1/analytics"


def today(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def token_of(client: Client, username: str) -> str:
    password = ADMIN_PASSWORD if username == ADMIN_USERNAME else None
    response = login(client, username, password) if password else login(client, username)
    return str(response["access_token"])


def admin(client: Client) -> str:
    return token_of(client, ADMIN_USERNAME)


def reserve(client: Client, username: str, start: datetime, end: datetime, room: str = ROOM) -> str:
    response = book(client, token_of(client, username), start, end, resource_id=room)
    assert response.status_code == 201, response.body
    return str(response.json_body["reservation_id"])


def post(client: Client, username: str, path: str, body: Any = None) -> Any:
    return send_json(client, "POST", path, body, token_of(client, username))


def get(client: Client, username: str, path: str) -> Any:
    return client.http.get(path, headers=auth_headers(token_of(client, username)))


def figures(client: Client, username: str, path: str) -> dict[str, Any]:
    response = get(client, username, f"{ANALYTICS}{path}")
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def counter_items() -> dict[tuple[str, str], dict[str, Any]]:
    """Every analytics item (PK, SK) -> its attributes: non-zero numbers and strings."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    response = dynamo.client().scan(TableName=table_name())
    for item in response.get("Items", []):
        pk = str(item["PK"]["S"])
        if pk.startswith(("AN#M#", "AN#H#", "AN#REL#")):
            # `rev` (the ALL row's revision) differs between counting and rebuilding by design
            numbers = {k: v for k, v in item.items() if "N" in v and v["N"] != "0" and k != "rev"}
            strings = {k: v for k, v in item.items() if "S" in v and k not in ("PK", "SK")}
            if numbers or pk.startswith("AN#REL#"):  # all-zero counters equal absent ones
                found[(pk, str(item["SK"]["S"]))] = {**numbers, **strings}
    return found
