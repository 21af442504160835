"""Typed domain errors. `chalicelib.api.errors` is the one place that maps them to HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a stable machine `code`, a human `message`, optional `details`."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(DomainError):
    code = "invalid_input"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class RuleViolation(DomainError):
    """A business rule denied the request (hours, blackout, quota...)."""

    code = "rule_violation"


class Gone(DomainError):
    code = "gone"


class TooManyRequests(DomainError):
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after": retry_after})
        self.retry_after = retry_after


class PreconditionFailed(DomainError):
    code = "precondition_failed"
