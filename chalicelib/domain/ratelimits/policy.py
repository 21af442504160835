"""The rate-limit policy: tiers per caller kind, stricter classes for abusable routes.

A request is counted against exactly ONE bucket (so limiting costs one DynamoDB call):
- a route in a class (sign-in, register, setup, webhook tests, CSV upload, series, bulk) is
  counted on that class's bucket for the caller, with the class's own small limit and window;
- any other route on the caller's general bucket, whose size is the caller's tier.
The caller is the VERIFIED principal (user id or OAuth client id); without one (an anonymous
route, no credential, or a credential that did not verify) it is the client address. So a
random Bearer string never gets a bucket of its own: it is counted on its address, then 401.

Tiers: `anonymous`, `guest`, `user`, `admin` (a user's highest role), `client` (OAuth
clients); operators add tiers and pin a user or client to one (`RATE_LIMIT_SUBJECT_TIERS`).
Configuration strings are parsed here so a bad one is refused when settings load.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from chalicelib.domain.principal import Principal, Role

ANONYMOUS = "anonymous"
CLIENT = "client"
GENERAL = "all"  # the bucket name of routes in no class


@dataclass(frozen=True)
class Limit:
    requests: int
    window_seconds: int


DEFAULT_WINDOW_SECONDS = 60
# Requests per general window (a minute). Anonymous callers share an address (offices, NAT),
# so theirs is not tiny; a signed-in user's is far above what the web app makes by hand.
DEFAULT_TIERS: Mapping[str, int] = MappingProxyType(
    {
        ANONYMOUS: 120,
        Role.GUEST.value: 300,
        Role.USER.value: 600,
        Role.ADMIN.value: 1200,
        CLIENT: 1200,
    }
)
# Abusable or expensive routes: few per caller, over longer windows. `auth` sits beside the
# per-account attempt gate (which stops guessing); this one stops mass sign-ups and sprays.
DEFAULT_CLASSES: Mapping[str, Limit] = MappingProxyType(
    {
        "auth": Limit(30, 300),
        "webhook_test": Limit(10, 60),
        "upload": Limit(5, 60),
        "bulk": Limit(20, 60),
    }
)

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_SUBJECT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class PolicyError(ValueError):
    """A rate-limit setting that does not parse or names something that does not exist."""


@dataclass(frozen=True)
class RatePolicy:
    window_seconds: int = DEFAULT_WINDOW_SECONDS
    tiers: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    classes: Mapping[str, Limit] = field(default_factory=lambda: dict(DEFAULT_CLASSES))
    subject_tiers: Mapping[str, str] = field(default_factory=dict)

    def tier_of(self, principal: Principal | None) -> str:
        if principal is None:
            return ANONYMOUS
        pinned = self.subject_tiers.get(principal.subject_id)
        if pinned is not None:
            return pinned
        if principal.is_client:
            return CLIENT
        for role in (Role.ADMIN, Role.USER):
            if role in principal.roles:
                return role.value
        return Role.GUEST.value  # a user stripped of every role is a guest too

    def limit_for(self, route_class: str | None, principal: Principal | None) -> Limit:
        if route_class is not None:
            return self.classes[route_class]
        return Limit(self.tiers[self.tier_of(principal)], self.window_seconds)


def _pairs(raw: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise PolicyError(f"{what}: '{part}' is not name=value")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _count(value: str, what: str, scale: float) -> int:
    if not value.isdigit() or int(value) < 1:
        raise PolicyError(f"{what}: '{value}' is not a positive whole number")
    return max(1, math.ceil(int(value) * scale))


def _tiers(raw: str, scale: float) -> dict[str, int]:
    tiers = {name: max(1, math.ceil(n * scale)) for name, n in DEFAULT_TIERS.items()}
    for name, value in _pairs(raw, "RATE_LIMIT_TIERS"):
        if not _NAME.match(name):
            raise PolicyError(f"RATE_LIMIT_TIERS: '{name}' is not a valid tier name")
        tiers[name] = _count(value, "RATE_LIMIT_TIERS", scale)
    return tiers


def _classes(raw: str, scale: float) -> dict[str, Limit]:
    classes = {
        name: Limit(max(1, math.ceil(limit.requests * scale)), limit.window_seconds)
        for name, limit in DEFAULT_CLASSES.items()
    }
    for name, value in _pairs(raw, "RATE_LIMIT_CLASSES"):
        if name not in classes:
            raise PolicyError(f"RATE_LIMIT_CLASSES: no route class '{name}' ({sorted(classes)})")
        count, sep, seconds = value.partition("/")
        if not sep or not seconds.isdigit() or not 1 <= int(seconds) <= 86400:
            raise PolicyError(f"RATE_LIMIT_CLASSES: '{value}' is not requests/seconds")
        classes[name] = Limit(_count(count, "RATE_LIMIT_CLASSES", scale), int(seconds))
    return classes


def parse_policy(
    *, window_seconds: int, tiers: str = "", classes: str = "", subjects: str = "", scale: float = 1
) -> RatePolicy:
    """The policy from its settings; `scale` multiplies every count (test stacks raise it)."""
    if scale <= 0:
        raise PolicyError("RATE_LIMIT_SCALE must be positive")
    parsed_tiers = _tiers(tiers, scale)
    pinned: dict[str, str] = {}
    for subject, tier in _pairs(subjects, "RATE_LIMIT_SUBJECT_TIERS"):
        if not _SUBJECT.match(subject):
            raise PolicyError(f"RATE_LIMIT_SUBJECT_TIERS: '{subject}' is not a user or client id")
        if tier not in parsed_tiers or tier == ANONYMOUS:
            raise PolicyError(f"RATE_LIMIT_SUBJECT_TIERS: no tier '{tier}' to pin {subject} to")
        pinned[subject] = tier
    return RatePolicy(window_seconds, parsed_tiers, _classes(classes, scale), pinned)
