"""Explained denials (issue 13): one error naming every rule a request breaks.

The combined RuleViolation keeps the FIRST violation's code, message and detail fields (what
clients and tests relied on when only the first was reported) and adds `details.violations`:
every failed rule as `{rule, code, message, ...its parameters and the user's numbers}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.domain.errors import RuleViolation

# The rule family of each violation code (what the web dialog groups by).
RULE_OF_CODE = {
    "resource_disabled": "resource",
    "resource_in_maintenance": "maintenance",
    "start_in_past": "notice",
    "insufficient_notice": "notice",
    "beyond_horizon": "horizon",
    "duration_too_short": "duration",
    "duration_too_long": "duration",
    "outside_business_hours": "hours",
    "blackout_date": "blackout",
    "quota_exceeded": "quota",
}


def entry(violation: RuleViolation) -> dict[str, Any]:
    details = violation.details if isinstance(violation.details, dict) else {}
    found = dict(details.get("violations", [{}])[0]) if "violations" in details else {}
    if found:
        return found
    return {
        "rule": RULE_OF_CODE.get(violation.code, violation.code),
        "code": violation.code,
        "message": violation.message,
        **details,
    }


def entries(violation: RuleViolation) -> list[dict[str, Any]]:
    details = violation.details if isinstance(violation.details, dict) else {}
    listed = details.get("violations")
    if isinstance(listed, list):
        return [dict(v) for v in listed]
    return [entry(violation)]


def combined(found: Sequence[RuleViolation]) -> RuleViolation:
    """One RuleViolation for all of `found` (not empty), in order."""
    listed = [e for v in found for e in entries(v)]
    first = found[0]
    base = dict(first.details) if isinstance(first.details, dict) else {}
    base.pop("violations", None)
    # The message stays the first rule's (clients show it); the list carries the rest.
    return RuleViolation(first.message, code=first.code, details={**base, "violations": listed})
