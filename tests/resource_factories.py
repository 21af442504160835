"""Factories for resource-catalogue tests: drafts, resources through the API, CSV bodies."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.catalog.rules import ResourceDraft
from tests.factories import auth_headers, register_and_login, send_json, user_id_of

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RESOURCES = "/api/v1/resources"


def a_draft(name: str = "Room", **changes: Any) -> ResourceDraft:
    return replace(ResourceDraft(name=name), **changes)


def a_resource(resource_id: str, name: str = "Room", **changes: Any) -> Resource:
    return catalog.new_resource(a_draft(name, **changes), resource_id, NOW)


def create_resource(
    client: Client, token: str, name: str = "Room", **fields: Any
) -> dict[str, Any]:
    """POST a resource through the API; fails the test if refused."""
    response = send_json(client, "POST", RESOURCES, {"name": name, **fields}, token)
    assert response.status_code == 201, response.body
    body: dict[str, Any] = response.json_body
    return body


def get_json(client: Client, path: str, token: str | None) -> Any:
    headers = auth_headers(token) if token else {}
    return client.http.get(path, headers=headers)


def upload_csv(client: Client, token: str | None, text: str | bytes) -> Any:
    headers = {"Content-Type": "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = text.encode() if isinstance(text, str) else text
    return client.http.post(f"{RESOURCES}/upload", headers=headers, body=body)


def csv_text(header: str, rows: list[str]) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def make_guest(client: Client, admin_token: str, username: str = "gina") -> str:
    """A signed-in user whose only role is guest (read-only)."""
    token = register_and_login(client, username)
    user_id = user_id_of(client, token)
    for method, role in (("POST", "guest"), ("DELETE", "user")):
        body = {"user_id": user_id, "role": role}
        response = send_json(client, method, "/api/v1/roles/assign", body, admin_token)
        assert response.status_code == 200, response.body
    return token


def names_of(page: Any) -> list[str]:
    return [item["name"] for item in page.json_body["items"]]


def dumps(value: Any) -> str:
    return json.dumps(value)
