"""Factories for the reservation tests: resources in the real store, bookings through the API.

The frozen clock of tests/integration/conftest.py stands at Tue 2026-11-24 09:00 UTC; `at()`
builds instants on the following day unless told otherwise.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.catalog.resources import (
    Blackout,
    BookingPolicy,
    BusinessHours,
    DayHours,
    Resource,
)
from chalicelib.store.catalog import blackouts
from chalicelib.store.catalog.repository import ResourceStore
from tests.factories import auth_headers

TOMORROW = date(2026, 11, 25)
RESERVATIONS = "/api/v1/reservations"


def at(hour: int, minute: int = 0, day: date = TOMORROW) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def create_resource(
    resource_id: str = "room-1",
    *,
    buffer_before: timedelta = timedelta(0),
    buffer_after: timedelta = timedelta(0),
    requires_approval: bool = False,
    business_hours: BusinessHours | None = None,
) -> Resource:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    resource = Resource(
        resource_id=resource_id,
        name=f"Resource {resource_id}",
        requires_approval=requires_approval,
        policy=BookingPolicy(buffer_before=buffer_before, buffer_after=buffer_after),
        business_hours=business_hours,
        created_at=created,
        updated_at=created,
    )
    return ResourceStore(wiring.cursors()).create(resource)


def office_hours() -> BusinessHours:
    """Monday to Friday, 08:00-18:00 in the resource's zone."""
    return BusinessHours({day: DayHours(time(8), time(18)) for day in range(5)})


def add_blackout(resource_id: str, day: date) -> None:
    blackout = Blackout(f"bo-{day.isoformat()}", day, day, "closed", resource_id)
    blackouts.add(blackout, actor_id="test", now=datetime(2026, 1, 1, tzinfo=UTC))


def booking_body(
    start: datetime, end: datetime, resource_id: str = "room-1", **extra: Any
) -> dict[str, Any]:
    return {"resource_id": resource_id, "start_time": iso(start), "end_time": iso(end), **extra}


def book(
    client: Client,
    token: str,
    start: datetime,
    end: datetime,
    resource_id: str = "room-1",
    *,
    key: str | None = None,
    **extra: Any,
) -> Any:
    headers = auth_headers(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    body = booking_body(start, end, resource_id, **extra)
    return client.http.post(RESERVATIONS, headers=headers, body=json.dumps(body))


def booked(client: Client, token: str, start: datetime, end: datetime, **kw: Any) -> str:
    """Book and insist it worked; returns the reservation id."""
    response = book(client, token, start, end, **kw)
    assert response.status_code == 201, response.body
    return str(response.json_body["reservation_id"])


def send(client: Client, method: str, path: str, token: str | None, body: Any = None) -> Any:
    headers = auth_headers(token) if token else {"Content-Type": "application/json"}
    payload = b"" if body is None else json.dumps(body).encode()
    return client.http.request(method, path, headers=headers, body=payload)


def cancel(client: Client, token: str, reservation_id: str, reason: str = "plans changed") -> Any:
    return send(
        client, "POST", f"{RESERVATIONS}/{reservation_id}/cancel", token, {"reason": reason}
    )


def reschedule(
    client: Client, token: str, reservation_id: str, start: datetime, end: datetime, **extra: Any
) -> Any:
    body = {"start_time": iso(start), "end_time": iso(end), **extra}
    return send(client, "PATCH", f"{RESERVATIONS}/{reservation_id}", token, body)


def history(client: Client, token: str, reservation_id: str) -> list[dict[str, Any]]:
    response = send(client, "GET", f"{RESERVATIONS}/{reservation_id}/history", token)
    assert response.status_code == 200, response.body
    return list(response.json_body["items"])
