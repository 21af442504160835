"""System endpoints: health probes, docs, and the error shape for malformed requests."""

from __future__ import annotations

import json

from chalice.test import Client


def test_health_ready_live_answer_ok(client: Client) -> None:
    # Given a provisioned table, When the probes are called, Then each says ok
    for path in ("/health", "/ready", "/live"):
        response = client.http.get(path)
        assert response.status_code == 200, path
        assert response.json_body["status"] in {"ok", "alive"}


def test_openapi_lists_routes_and_docs_render(client: Client) -> None:
    doc = client.http.get("/openapi.json").json_body
    assert doc["openapi"].startswith("3.")
    assert "/health" in doc["paths"]
    page = client.http.get("/docs")
    assert page.status_code == 200
    assert "openapi.json" in page.body.decode()


def test_wrong_method_is_json_405(client: Client) -> None:
    response = client.http.post(
        "/health", body=json.dumps({}), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 405
    assert response.json_body["error"]["code"] == "method_not_allowed"
