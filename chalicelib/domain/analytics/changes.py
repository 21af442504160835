"""Reservation item changes -> `analytics.reservation_changed` (pure; internal event).

The public reservation events name only some status changes (no "checked in", no
"completed"); analytics needs every change, with the item before AND after it, so that the
worker can apply `contribution(after) - contribution(before)`. Only the analytics rule
routes this event (no webhook, mail or notification comes of it).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.pipeline.events import Draft, ItemChange

ANALYTICS_RESERVATION_CHANGED = "analytics.reservation_changed"
_FIELDS = (
    "reservation_id",
    "resource_id",
    "user_id",
    "start_time",
    "end_time",
    "status",
    "created_at",
    "updated_at",
)
_WATCHED = ("resource_id", "user_id", "start_time", "end_time", "status")


def _project(image: dict[str, Any] | None) -> dict[str, Any] | None:
    return {name: image.get(name) for name in _FIELDS} if image else None


def analytics_change(change: ItemChange) -> Draft | None:
    """The analytics event of a reservation item change, or None when nothing counted moved."""
    if change.item_type != "reservation":
        return None
    if change.kind == "MODIFY" and not any(change.changed(n) for n in _WATCHED):
        return None
    before = _project(change.old) if change.kind != "INSERT" else None
    after = _project(change.new) if change.kind != "REMOVE" else None
    return (ANALYTICS_RESERVATION_CHANGED, {"before": before, "after": after})
