"""Health probes, API versions and the API's own documentation."""

from __future__ import annotations

from chalice.app import Blueprint
from pydantic import BaseModel

from chalicelib import wiring
from chalicelib.api.docs_page import DOCS_HTML
from chalicelib.api.openapi import build_document
from chalicelib.api.routing import Reply, RequestContext, endpoint

bp = Blueprint(__name__)
API_VERSION = "1.0.0"


class Health(BaseModel):
    status: str
    version: str
    checks: dict[str, str]


class Versions(BaseModel):
    current: str
    supported: list[str]
    deprecated: list[str]


@endpoint(
    bp,
    "/live",
    summary="Liveness: the function answers (no I/O)",
    auth="none",
    tags=("system",),
    response=Health,
)
def live(ctx: RequestContext) -> Health:
    return Health(status="alive", version=API_VERSION, checks={})


@endpoint(
    bp,
    "/ready",
    summary="Readiness: the table answers one GetItem",
    auth="none",
    tags=("system",),
    response=Health,
)
def ready(ctx: RequestContext) -> Reply:
    return _probe()


@endpoint(
    bp,
    "/health",
    summary="Health of the API and its table (cheap, no scans)",
    auth="none",
    tags=("system",),
    response=Health,
)
def health(ctx: RequestContext) -> Reply:
    return _probe()


def _probe() -> Reply:
    checks = wiring.health_checks()
    healthy = all(value == "ok" for value in checks.values())
    body = Health(status="ok" if healthy else "degraded", version=API_VERSION, checks=checks)
    return Reply(body, 200 if healthy else 503)


@endpoint(
    bp, "/api/versions", summary="API versions", auth="none", tags=("system",), response=Versions
)
def versions(ctx: RequestContext) -> Versions:
    return Versions(current="v1", supported=["v1"], deprecated=[])


@endpoint(bp, "/openapi.json", summary="This API's OpenAPI document", auth="none", tags=("system",))
def openapi(ctx: RequestContext) -> Reply:
    return Reply(build_document(API_VERSION))


@endpoint(bp, "/docs", summary="Human-readable API documentation", auth="none", tags=("system",))
def docs(ctx: RequestContext) -> Reply:
    return Reply(DOCS_HTML, headers={"Content-Type": "text/html; charset=utf-8"})
