"""Every `$ref` of `/openapi.json` resolves: list answers and query parameters used to point at
schemas that only lived in their own `$defs`, which broke client generators (the web app's
types are generated from this document)."""

from __future__ import annotations

from typing import Any

from chalice.test import Client


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_ref_points_at_a_component_schema(client: Client) -> None:
    # Given the served document
    doc = client.http.get("/openapi.json").json_body
    schemas = doc["components"]["schemas"]
    # Then every reference names a schema that exists, and none hides in a local $defs
    refs = set(_refs(doc))
    assert refs, "the document has no references at all"
    missing = sorted(r for r in refs if r.removeprefix("#/components/schemas/") not in schemas)
    assert missing == []
    assert "RoleOut" in schemas  # the item of GET /roles (a list answer)
