"""Per-resource waitlist settings (one frozen dataclass, stored as ONE attribute `waitlist` on
the resource item; set by admins through `PUT /api/v1/resources/{id}/waitlist`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

DEFAULT_OFFER_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class WaitlistSettings:
    """`offer_ttl`: how long a freed window is held for the person it is offered to.
    `enabled`: whether people may join this resource's waitlist at all."""

    offer_ttl: timedelta = DEFAULT_OFFER_TTL
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"offer_ttl_s": int(self.offer_ttl.total_seconds()), "enabled": self.enabled}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> WaitlistSettings:
        if not raw:
            return cls()
        ttl = raw.get("offer_ttl_s")
        return cls(
            offer_ttl=timedelta(seconds=int(ttl)) if ttl else DEFAULT_OFFER_TTL,
            enabled=bool(raw.get("enabled", True)),
        )
