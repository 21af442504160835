"""Factories for the waitlist tests: join, read, act on entries through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice.test import Client

from tests.integration.reservations_kit import iso, send

WAITLIST = "/api/v1/waitlist"


def join(
    client: Client,
    token: str,
    start: datetime,
    end: datetime,
    resource_id: str = "room-1",
    **kw: Any,
) -> Any:
    body = {"resource_id": resource_id, "start_time": iso(start), "end_time": iso(end), **kw}
    return send(client, "POST", WAITLIST, token, body)


def joined(client: Client, token: str, start: datetime, end: datetime, **kw: Any) -> dict[str, Any]:
    response = join(client, token, start, end, **kw)
    assert response.status_code == 201, response.body
    body: dict[str, Any] = response.json_body
    return body


def entry(client: Client, token: str, entry_id: str) -> dict[str, Any]:
    response = send(client, "GET", f"{WAITLIST}/{entry_id}", token)
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def act(client: Client, token: str, entry_id: str, action: str) -> Any:
    if action == "leave":
        return send(client, "DELETE", f"{WAITLIST}/{entry_id}", token)
    return send(client, "POST", f"{WAITLIST}/{entry_id}/{action}", token)
