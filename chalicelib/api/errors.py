"""The one module that maps domain errors to HTTP responses.

Every error leaves as `{"error": {"code", "message", "details"}}`. Client errors are logged at
INFO without a stack trace; only unexpected exceptions are logged with one (and never sent).
"""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response
from pydantic import ValidationError

from chalicelib.api.correlation import note_refusal
from chalicelib.domain import errors as domain
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.observability import logger

_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.InvalidInput, 422),
    (domain.NotAuthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Gone, 410),
    (domain.PreconditionFailed, 412),
    (domain.RuleViolation, 422),
    (domain.TooManyRequests, 429),
]

JSON_HEADERS = {"Content-Type": "application/json"}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        body=json.dumps(error_body(code, message, details), default=str),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},  # type: ignore[dict-item]
    )


def status_for(error: domain.DomainError) -> int:
    for error_type, status in _STATUS:
        if isinstance(error, error_type):
            return status
    return 400


def from_domain_error(error: domain.DomainError, viewer: Principal | None = None) -> Response:
    """The response for a refused request; `viewer` (the caller, if known) decides what a
    reservation conflict may show of other people's bookings."""
    status = status_for(error)
    note_refusal(error)  # the request metrics count conflicts and denials (api/telemetry.py)
    logger.info("request refused", extra={"status": status, "code": error.code})
    headers: dict[str, str] = {}
    if isinstance(error, domain.TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, domain.NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    details = error.details
    if isinstance(error, ReservationConflict):
        details = error.details_for(viewer)
    return error_response(status, error.code, error.message, details, headers)


def from_validation_error(error: ValidationError, *, where: str) -> Response:
    details = [
        {
            "field": ".".join(str(part) for part in item["loc"]) or where,
            "message": item["msg"],
            "type": item["type"],
        }
        for item in error.errors(include_url=False, include_input=False)
    ]
    logger.info("request refused", extra={"status": 422, "code": "validation_error"})
    return error_response(422, "validation_error", f"the {where} is not valid", details)


def from_unexpected(error: Exception) -> Response:
    logger.exception("unhandled error")
    return error_response(500, "internal_error", "an internal error occurred; it has been logged")


# Chalice produces a few errors itself ({"Code", "Message"}); they are reshaped in middleware.
_CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequestError": "bad_request",
    "BadRequest": "bad_request",
    "NotFoundError": "not_found",
    "InternalServerError": "internal_error",
}


def reshape_chalice_error(response: Response) -> Response:
    body = response.body
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            return response
    if not isinstance(body, dict) or "Code" not in body or "error" in body:
        return response
    code = _CHALICE_CODES.get(str(body["Code"]), "http_error")
    extra = {k: str(v) for k, v in response.headers.items() if k.lower() not in {"content-type"}}
    return error_response(response.status_code, code, str(body.get("Message", "")), None, extra)
