"""Build the OpenAPI 3.1 document from the routes registered through `endpoint`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api import lazy_routes
from chalicelib.api.routing import ROUTES, RouteSpec
from chalicelib.api.schemas.common import ErrorBody

_REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{([^}]+)}")


def build_document(version: str = "1.0.0") -> dict[str, Any]:
    lazy_routes.load_all()  # every route, not only the families the bundle has loaded yet
    models: set[type[BaseModel]] = {ErrorBody}
    for spec in ROUTES:
        for model in (spec.body, spec.query, _model_of(spec.response)):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: (m.__module__, m.__qualname__))
    refs, defs = models_json_schema([(m, "validation") for m in ordered], ref_template=_REF)
    ref_of = {model: refs[(model, "validation")] for model in ordered}
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, ref_of, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Resource Reserver API",
            "version": version,
            "description": (
                "Book shared resources without double booking. Instants are ISO 8601 with an "
                "offset on input and UTC with `Z` on output. Errors are "
                '`{"error": {"code", "message", "details"}}`. Every answer carries '
                "`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch "
                "seconds); a spent bucket answers 429 `rate_limited` with `Retry-After`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _model_of(response: Any) -> type[BaseModel] | None:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return response
    return None


def _hoisted(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Move a standalone schema's `$defs` into the components: its refs point there
    (`_REF`), and a document whose refs do not resolve breaks client generators."""
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    return schema


def _schema_for(
    response: Any, ref_of: dict[type[BaseModel], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    model = _model_of(response)
    if model is not None:
        return dict(ref_of[model])
    if response is None:
        return {}
    schema = TypeAdapter(response).json_schema(ref_template=_REF, mode="serialization")
    return _hoisted(schema, schemas)


def _operation(
    spec: RouteSpec, ref_of: dict[type[BaseModel], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    error_ref = {"$ref": _REF.format(model="ErrorBody")}
    op: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', spec.path.lower())}",
        "tags": list(spec.tags),
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PARAM.findall(spec.path)
        ],
        "responses": {
            str(spec.status): {
                "description": "success",
                "content": {
                    "application/json": {"schema": _schema_for(spec.response, ref_of, schemas)}
                },
            },
            "4XX": {
                "description": "client error",
                "content": {"application/json": {"schema": error_ref}},
            },
        },
    }
    if spec.description:
        op["description"] = spec.description
    if spec.query is not None:
        for name, field in spec.query.model_fields.items():
            op["parameters"].append(
                {
                    "name": field.alias or name,  # `from` is a keyword: field `from_`
                    "in": "query",
                    "required": field.is_required(),
                    "description": field.description or "",
                    "schema": _hoisted(
                        TypeAdapter(field.annotation or str).json_schema(ref_template=_REF),
                        schemas,
                    ),
                }
            )
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {ct: {"schema": ref_of[spec.body]} for ct in spec.content_types},
        }
    if spec.auth != "none":
        op["security"] = [{"bearer": []}]
    return op
