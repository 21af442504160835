"""The `endpoint` decorator: verify the caller -> count the request -> authorise -> parse ->
call the view -> serialize.

The count is the API rate limit (issue 13, api/rate_limits.py): on the verified principal, or
on the client address when there is none (a Bearer string that does not verify included), and
every answer carries its `X-RateLimit-*` headers.

Views stay thin: they receive a `RequestContext` with the verified principal and the parsed
body/query models, call one service and return a model (or a `Reply`). Every route is also
recorded in `ROUTES`, from which `/openapi.json` is generated.

Input is bounded before anything else looks at it: a body over MAX_BODY_BYTES is a 413; a body
that does not parse (bad UTF-8, bad JSON, JSON nested deeper than MAX_JSON_DEPTH, which used to
be a RecursionError and a 500) is a 400; a path parameter longer than any id or name we issue is
a 404 and an over-long query value a 422, so no such value ever becomes a DynamoDB key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol
from urllib.parse import parse_qs

from chalice.app import Blueprint, CORSConfig, Request, Response
from pydantic import BaseModel, ValidationError
from typing_extensions import TypeVar

from chalicelib.api import correlation, errors, rate_limits
from chalicelib.domain import acting
from chalicelib.domain.errors import DomainError, Forbidden, NotAuthenticated
from chalicelib.domain.principal import Channel, Principal, require_writer
from chalicelib.domain.ratelimits.windows import client_address
from chalicelib.settings import get_settings

Auth = Literal["none", "optional", "user", "admin"]

# Bearer tokens travel in headers, never cookies, so a wildcard origin is safe; a constant
# because routes are declared at import time, before any setting may be read.
CORS = CORSConfig(
    allow_origin="*",
    allow_headers=[
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "X-Client-Channel",
        "X-Correlation-Id",  # observability (issue 15)
    ],
    expose_headers=[
        "Retry-After",
        "Location",
        "X-RateLimit-Limit",  # API rate limits (issue 13): the web app may read them
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-Correlation-Id",  # observability (issue 15)
        "X-Next-Cursor",  # reservations export (issue 14): the CSV pages' cursor
    ],
    max_age=600,
)
# Guests may call these on any route they reach; every other method is a write (issue 9, #13).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON_TYPES = ["application/json"]
FORM_TYPES = ["application/x-www-form-urlencoded"]

# 1 MiB: the CSV import's own 1 MB limit fits (API Gateway would take 10 MB).
MAX_BODY_BYTES = 1_048_576
# Our deepest request schema nests a handful of levels; 32 leaves room and stops recursion bombs.
MAX_JSON_DEPTH = 32
# Ids are ULIDs (26 characters) or ids the schemas cap at 64; names and tags are shorter than 128.
MAX_ID_LENGTH = 64
MAX_PATH_PARAM_LENGTH = 128
# The longest query value we take is a cursor (PageQuery caps it at 2048).
MAX_QUERY_VALUE_LENGTH = 2048


class Authenticator(Protocol):
    def authenticate(self, bearer: str, *, client_ip: str, channel: Channel) -> Principal: ...


@dataclass
class Reply:
    """A view result that needs a status code or headers other than the default."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


# What a route's parsed body and query are (its `endpoint(body=..., query=...)` models):
# `RequestContext[BookingIn]`, `RequestContext[None, ListQuery]`.
BodyT = TypeVar("BodyT", default=None)
QueryT = TypeVar("QueryT", default=None)


@dataclass
class RequestContext(Generic[BodyT, QueryT]):
    request: Request
    principal: Principal | None
    body: BodyT
    query: QueryT
    client_ip: str
    channel: Channel

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name)
        return None if value is None else str(value)

    @property
    def user(self) -> Principal:
        """The principal on a route that requires one (never None there)."""
        if self.principal is None:
            raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
        return self.principal

    @property
    def raw_body(self) -> bytes:
        raw = self.request.raw_body
        return raw if isinstance(raw, bytes) else raw.encode()


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    tags: tuple[str, ...]
    auth: Auth
    scope: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    content_types: tuple[str, ...]
    description: str = ""
    self_service: bool = False
    # A signed-in user (not a client, not a guest) without `scope` passes the gate and the
    # service decides (group-scoped administrators, catalog14).
    delegated: bool = False


ROUTES: list[RouteSpec] = []

_authenticator_factory: Callable[[], Authenticator] | None = None


def use_authenticator(factory: Callable[[], Authenticator]) -> None:
    """Wiring tells the routing layer how to verify bearer tokens (resolved on first use)."""
    global _authenticator_factory
    _authenticator_factory = factory


def endpoint(
    bp: Blueprint,
    path: str,
    method: str = "GET",
    *,
    summary: str,
    tags: tuple[str, ...] = (),
    auth: Auth = "user",
    scope: str | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    content_types: list[str] | None = None,
    description: str = "",
    self_service: bool = False,
    registry: list[RouteSpec] | None = None,
    delegated: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route. A write (any method but GET) refuses a guest with 403 guest_read_only
    unless `self_service`: the caller's own account and session (sign out, password, MFA,
    profile, read marks), which a read-only account still manages."""
    types = content_types or JSON_TYPES
    spec = RouteSpec(
        path,
        method,
        summary,
        tags,
        auth,
        scope,
        body,
        query,
        response,
        status,
        tuple(types),
        description,
        self_service,
        delegated,
    )
    (ROUTES if registry is None else registry).append(spec)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        def handle(**path_params: str) -> Response:
            request = bp.current_request
            ctx: RequestContext | None = None
            metering = rate_limits.Metering(rate_limits.route_class(method, path))
            try:
                ctx = _build_context(request, spec, path_params, metering)
                with acting.acting_as(_audit_context(ctx)):
                    result = view(ctx, **path_params)
                response = _serialize(result, spec.status)
            except DomainError as exc:
                response = errors.from_domain_error(exc, ctx.principal if ctx else None)
            except _InvalidBody as exc:
                response = exc.response
            except Exception as exc:  # the last line of defence: never a stack trace out
                response = errors.from_unexpected(exc)
            return metering.finish(response)

        handle.__name__ = view.__name__
        handle.__doc__ = view.__doc__
        bp.route(path, methods=[method], cors=CORS, content_types=types)(handle)
        return view

    return decorate


class _InvalidBody(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _audit_context(ctx: RequestContext) -> acting.AuditContext:
    """Who the store writes of this request are stamped with (the audit log reads it back)."""
    request_id = correlation.of_request(ctx.request)  # the id the answer's header carries
    actor = ctx.principal.subject_id if ctx.principal is not None else "anonymous"
    return acting.AuditContext(actor, ctx.channel.value, ctx.client_ip, request_id)


def client_ip_of(request: Request) -> str:
    """API Gateway's peer address; X-Forwarded-For only behind proxies the operator declared."""
    identity = request.context.get("identity") or {}
    source = str(identity.get("sourceIp") or "")
    hops = get_settings().trusted_proxy_hops
    if not hops:
        return source
    return client_address(source, str(request.headers.get("x-forwarded-for") or ""), hops)


# What a caller may say about itself (the web app and the CLI label their requests). `system`
# is never taken from a header: only our own jobs and workers act as the system.
CLAIMABLE_CHANNELS = frozenset({Channel.WEB, Channel.CLI, Channel.API})


def _channel(request: Request) -> Channel:
    raw = (request.headers.get("x-client-channel") or "api").lower()
    try:
        claimed = Channel(raw)
    except ValueError:
        return Channel.API
    return claimed if claimed in CLAIMABLE_CHANNELS else Channel.API


def _build_context(
    request: Request, spec: RouteSpec, path_params: dict[str, str], metering: rate_limits.Metering
) -> RequestContext:
    client_ip = metering.client_ip = client_ip_of(request)
    _check_body_size(request)
    channel = _channel(request)
    principal = _verify(request, spec, client_ip, channel)
    # Counted on the verified caller, before any authorisation or parsing work (issue 13);
    # a credential that did not verify raised above and is counted on the address instead.
    metering.charge(principal)
    if principal is not None:
        _authorize(principal, spec)
        channel = principal.channel  # the credential decides (an OAuth client is always `api`)
    _check_path_params(path_params)
    body = _parse_body(request, spec) if spec.body is not None else None
    query = _parse_query(request, spec.query) if spec.query is not None else None
    return RequestContext(request, principal, body, query, client_ip, channel)


def _verify(
    request: Request, spec: RouteSpec, client_ip: str, channel: Channel
) -> Principal | None:
    header = request.headers.get("authorization") or ""
    if spec.auth == "none":
        return None
    if not header:
        if spec.auth == "optional":
            return None
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
    if _authenticator_factory is None:
        raise RuntimeError("no authenticator wired")
    return _authenticator_factory().authenticate(
        token.strip(), client_ip=client_ip, channel=channel
    )


def _authorize(principal: Principal, spec: RouteSpec) -> None:
    if (principal.is_client or principal.via_client) and spec.scope is None:
        # OAuth client tokens only reach routes that declare the scope they need (and so do
        # users' tokens issued to a client through the authorization code flow, issue 14).
        raise Forbidden("client tokens may not call this route", code="client_not_allowed")
    if spec.auth == "admin" and not principal.is_admin:
        raise Forbidden("this action is for administrators", code="admin_required")
    delegated = (
        spec.delegated
        and not (principal.is_client or principal.via_client)
        and not principal.is_read_only
    )
    if spec.scope is not None and not principal.can(spec.scope) and not delegated:
        raise Forbidden(f"this action needs the '{spec.scope}' permission", code="missing_scope")
    if (
        spec.method not in READ_METHODS
        and not spec.self_service
        and not _granted_write(principal, spec)
    ):
        require_writer(principal)


def _granted_write(principal: Principal, spec: RouteSpec) -> bool:
    """A guest given a write scope by a custom role (roles14) may call the routes that declare
    that scope, and only those; built-in guests never hold a write scope."""
    return spec.scope is not None and spec.scope.endswith(":write") and principal.can(spec.scope)


def _check_body_size(request: Request) -> None:
    raw = request.raw_body
    if raw and len(raw) > MAX_BODY_BYTES:
        raise _InvalidBody(
            errors.error_response(
                413,
                "body_too_large",
                f"the request body is larger than {MAX_BODY_BYTES} bytes",
                {"max_bytes": MAX_BODY_BYTES},
            )
        )


def _check_path_params(params: dict[str, str]) -> None:
    """An id longer than any we issue names nothing: 404 before it becomes a key."""
    for name, value in params.items():
        limit = MAX_ID_LENGTH if name.endswith("_id") else MAX_PATH_PARAM_LENGTH
        if len(value) > limit:
            raise _InvalidBody(
                errors.error_response(
                    404,
                    "not_found",
                    f"no such {name.removesuffix('_id').replace('_', ' ')}",
                    {"parameter": name, "max_length": limit},
                )
            )


def _nested_deeper_than(data: Any, limit: int) -> bool:
    """Iteratively (a recursive walk would fail on exactly the bodies it looks for)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if not isinstance(node, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


def _too_deep() -> _InvalidBody:
    return _InvalidBody(
        errors.error_response(
            400,
            "json_too_deep",
            f"the request body nests deeper than {MAX_JSON_DEPTH} levels",
            {"max_depth": MAX_JSON_DEPTH},
        )
    )


def _decode_raw(request: Request) -> str:
    raw = request.raw_body
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _InvalidBody(
                errors.error_response(400, "malformed_body", "the body is not valid UTF-8")
            ) from exc
    return raw


def _parse_body(request: Request, spec: RouteSpec) -> Any:
    assert spec.body is not None
    content_type = (request.headers.get("content-type") or "application/json").lower()
    text = _decode_raw(request)
    if content_type.startswith("application/x-www-form-urlencoded"):
        data: Any = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    elif not text.strip():
        data = {}
    else:
        try:
            data = json.loads(text)
        except RecursionError as exc:  # '[' * 100000: the C scanner gives up
            raise _too_deep() from exc
        except ValueError as exc:
            raise _InvalidBody(
                errors.error_response(
                    400,
                    "malformed_json",
                    "the request body is not valid JSON",
                    {"position": getattr(exc, "pos", None)},
                )
            ) from exc
    if _nested_deeper_than(data, MAX_JSON_DEPTH):
        raise _too_deep()
    if not isinstance(data, dict):
        raise _InvalidBody(
            errors.error_response(422, "validation_error", "the request body must be a JSON object")
        )
    try:
        return spec.body.model_validate(data)
    except ValidationError as exc:
        raise _InvalidBody(errors.from_validation_error(exc, where="request body")) from exc


def _parse_query(request: Request, model: type[BaseModel]) -> Any:
    params = request.query_params
    data: dict[str, Any] = {}
    for name in params or ():
        values = params.getlist(name) if params is not None else []
        if any(len(value) > MAX_QUERY_VALUE_LENGTH for value in values):
            raise _InvalidBody(
                errors.error_response(
                    422,
                    "validation_error",
                    "the query string is not valid",
                    [{"field": name, "message": "value too long", "type": "string_too_long"}],
                )
            )
        annotation = model.model_fields.get(name)
        is_list = annotation is not None and "list" in str(annotation.annotation)
        data[name] = values if is_list else values[-1]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _InvalidBody(errors.from_validation_error(exc, where="query string")) from exc


def to_jsonable(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    if isinstance(result, list):
        return [to_jsonable(item) for item in result]
    if isinstance(result, dict):
        return {key: to_jsonable(value) for key, value in result.items()}
    return result


def _serialize(result: Any, default_status: int) -> Response:
    reply = result if isinstance(result, Reply) else Reply(result, default_status)
    headers: dict[str, str | list[str]] = dict(reply.headers)
    if isinstance(reply.body, (bytes, str)) and "Content-Type" in headers:
        return Response(body=reply.body, status_code=reply.status, headers=headers)
    if reply.body is None and reply.status == 204:
        return Response(body="", status_code=204, headers=headers)
    headers.setdefault("Content-Type", "application/json")
    return Response(
        body=json.dumps(to_jsonable(reply.body)), status_code=reply.status, headers=headers
    )
