"""A resource's check-in policy as the JSON text stored on its item (absent: no check-in)."""

from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.domain.catalog.check_in_policy import NO_CHECK_IN, CheckInPolicy


def check_in_to_text(policy: CheckInPolicy) -> str | None:
    if policy == NO_CHECK_IN:
        return None
    return json.dumps(
        {
            "required": policy.required,
            "opens_before_s": int(policy.opens_before.total_seconds()),
            "closes_after_s": int(policy.closes_after.total_seconds()),
            "no_show_strikes": policy.no_show_strikes,
        },
        sort_keys=True,
    )


def check_in_from_text(text: str | None) -> CheckInPolicy:
    if not text:
        return NO_CHECK_IN
    raw = json.loads(text)
    return CheckInPolicy(
        required=bool(raw.get("required", False)),
        opens_before=timedelta(seconds=int(raw.get("opens_before_s", 900))),
        closes_after=timedelta(seconds=int(raw.get("closes_after_s", 900))),
        no_show_strikes=int(raw.get("no_show_strikes", 0)),
    )
