"""A resource's approval setting (issue 10): the chain, the expiry of stale requests and the
reminder threshold. Pure data and validation; the request rules are in
`domain/reservations/approvals.py`.

A chain is ordered steps; a step is satisfied by ANY ONE of its approvers (named users, or
anyone holding one of its roles). The legacy `approvers` field of a resource maps to a
one-step chain, and a resource that needs approval with no approvers at all falls back to
one step "any administrator", so a request can never be stuck without someone to decide it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import Role

MAX_STEPS = 5
MAX_APPROVERS_PER_STEP = 20
MAX_EXPIRY_HOURS = 24 * 90
DEFAULT_EXPIRY_HOURS = 72
DEFAULT_REMIND_AFTER_HOURS = 24
_USER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")


@dataclass(frozen=True)
class ApprovalStep:
    """One step: any one of `users` or anyone with one of `roles` may decide it."""

    users: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"users": list(self.users), "roles": [r.value for r in self.roles]}


@dataclass(frozen=True)
class ApprovalSettings:
    """Per resource. `expiry_hours`: a request undecided that long expires (0: never, though
    it still expires when its start passes); `remind_after_hours`: approvers of a request
    waiting that long are reminded once per step (0: never)."""

    steps: tuple[ApprovalStep, ...] = ()
    expiry_hours: int = DEFAULT_EXPIRY_HOURS
    remind_after_hours: int = DEFAULT_REMIND_AFTER_HOURS

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "expiry_hours": self.expiry_hours,
            "remind_after_hours": self.remind_after_hours,
        }


DEFAULT_SETTINGS = ApprovalSettings()
ADMIN_STEP = ApprovalStep(roles=(Role.ADMIN,))


def effective_chain(
    settings: ApprovalSettings | None, legacy_approvers: Sequence[str]
) -> tuple[ApprovalStep, ...]:
    """The steps a request must pass: the explicit chain, else the legacy approvers as one
    step, else any administrator."""
    if settings is not None and settings.steps:
        return settings.steps
    if legacy_approvers:
        return (ApprovalStep(users=tuple(legacy_approvers)),)
    return (ADMIN_STEP,)


def settings_from_dict(raw: Any) -> ApprovalSettings:
    """Parse and validate (InvalidInput 422 `invalid_approval_chain` listing every problem)."""
    problems: list[dict[str, str]] = []
    if not isinstance(raw, dict):
        raise InvalidInput("the approval setting must be an object", code="invalid_approval_chain")
    steps_raw = raw.get("steps", [])
    if not isinstance(steps_raw, list) or len(steps_raw) > MAX_STEPS:
        problems.append({"field": "steps", "message": f"a list of at most {MAX_STEPS} steps"})
        steps_raw = []
    steps = tuple(_step(i, s, problems) for i, s in enumerate(steps_raw))
    expiry = _hours(raw, "expiry_hours", DEFAULT_EXPIRY_HOURS, problems)
    remind = _hours(raw, "remind_after_hours", DEFAULT_REMIND_AFTER_HOURS, problems)
    if problems:
        raise InvalidInput(
            "the approval chain is not valid",
            code="invalid_approval_chain",
            details={"problems": problems},
        )
    return ApprovalSettings(steps, expiry, remind)


def _step(index: int, raw: Any, problems: list[dict[str, str]]) -> ApprovalStep:
    where = f"steps[{index}]"
    if not isinstance(raw, dict):
        problems.append({"field": where, "message": "a step is an object {users, roles}"})
        return ApprovalStep()
    users_raw, roles_raw = raw.get("users", []), raw.get("roles", [])
    if not isinstance(users_raw, list) or not isinstance(roles_raw, list):
        problems.append({"field": where, "message": "users and roles are lists"})
        return ApprovalStep()
    users = tuple(dict.fromkeys(str(u).strip() for u in users_raw))
    bad = [u for u in users if not _USER_ID.match(u)]
    if bad:
        problems.append({"field": f"{where}.users", "message": f"'{bad[0][:70]}' is not a user id"})
    roles: list[Role] = []
    for value in roles_raw:
        try:
            roles.append(Role(str(value)))
        except ValueError:
            problems.append({"field": f"{where}.roles", "message": f"unknown role '{value}'"})
    if not users and not roles:
        problems.append({"field": where, "message": "a step needs at least one approver"})
    if len(users) + len(roles) > MAX_APPROVERS_PER_STEP:
        problems.append({"field": where, "message": f"at most {MAX_APPROVERS_PER_STEP}"})
    return ApprovalStep(users, tuple(dict.fromkeys(roles)))


def _hours(raw: dict[str, Any], name: str, default: int, problems: list[dict[str, str]]) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPIRY_HOURS:
        problems.append({"field": name, "message": f"whole hours between 0 and {MAX_EXPIRY_HOURS}"})
        return default
    return value
