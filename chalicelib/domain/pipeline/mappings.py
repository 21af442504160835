"""Which domain events each kind of item change means (pure; one mapper per item `type`).

The item shapes are owned by the store modules (`chalicelib/store/<entity>.py`); a mapper
reads only the attributes it needs and publishes an explicit projection, never the raw item
(no password hashes, no secrets, no key attributes).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import Draft, ItemChange, MapperRegistry, actor_of

REGISTRY = MapperRegistry()

_RESERVATION_FIELDS = (
    "reservation_id",
    "resource_id",
    "user_id",
    "start_time",
    "end_time",
    "status",
    "series_id",
    "notes",
    "cancel_reason",
)
_STATUS_EVENTS = {
    "cancelled": ev.RESERVATION_CANCELLED,
    "expired": ev.RESERVATION_EXPIRED,
    "no_show": ev.RESERVATION_NO_SHOW,
}
_OCCUPYING = frozenset({"active", "pending_approval", "held"})


def _project(image: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: image.get(name) for name in names}


@REGISTRY.register("reservation")
def reservation_events(change: ItemChange) -> list[Draft]:
    data = {**_project(change.image, _RESERVATION_FIELDS), "actor_id": actor_of(change)}
    if change.kind == "INSERT":
        return [(ev.RESERVATION_CREATED, data)]
    if change.kind != "MODIFY":
        return []
    if change.changed("status"):
        name = _STATUS_EVENTS.get(str(change.after("status")))
        return [(name, data)] if name else []
    moved = change.changed("start_time") or change.changed("end_time")
    if moved and change.after("status") in _OCCUPYING:
        data["previous_start_time"] = change.before("start_time")
        data["previous_end_time"] = change.before("end_time")
        return [(ev.RESERVATION_RESCHEDULED, data)]
    return []


@REGISTRY.register("reservation_reminder")
def reminder_events(change: ItemChange) -> list[Draft]:
    """The reminders job writes one marker per reservation; its insert is the event."""
    if change.kind != "INSERT":
        return []
    data = _project(change.image, (*_RESERVATION_FIELDS, "reminder_hours"))
    return [(ev.RESERVATION_REMINDER_DUE, {**data, "actor_id": "system"})]


@REGISTRY.register("user")
def user_events(change: ItemChange) -> list[Draft]:
    if change.kind != "INSERT":
        return []
    image = change.image
    data = {
        "user_id": image.get("user_id"),
        "username": image.get("username"),
        "roles": sorted(image.get("roles") or []),
        "actor_id": actor_of(change),
    }
    return [(ev.USER_CREATED, data)]


_RESOURCE_FIELDS = ("resource_id", "name", "enabled")
# Attributes that change with every write or only mirror others: not a "resource.updated".
_RESOURCE_NOISE = frozenset(
    {
        "updated_at",
        "version",
        "name_lower",
        "description_lower",
        "building_key",
        "floor_key",
        "maint_started_at",
        "maint_reason",
        "maint_reset_at",
        "maint_until",
        "deleting",
    }
)


@REGISTRY.register("resource")
def resource_events(change: ItemChange) -> list[Draft]:
    image = change.image
    data = {**_project(image, _RESOURCE_FIELDS), "actor_id": actor_of(change)}
    if change.kind == "INSERT":
        return [(ev.RESOURCE_CREATED, data)]
    if change.kind == "REMOVE":
        return [(ev.RESOURCE_DELETED, data)]
    drafts: list[Draft] = []
    changed = sorted(
        name
        for name in set(change.old or {}) | set(change.new or {})
        if name not in _RESOURCE_NOISE
        and not name.startswith(("audit_", "GSI"))
        and change.changed(name)
    )
    if changed:
        drafts.append((ev.RESOURCE_UPDATED, {**data, "changed_fields": changed}))
    started_before, started_now = (
        change.before("maint_started_at"),
        change.after("maint_started_at"),
    )
    if started_now and started_now != started_before:
        maintenance = {
            "maintenance_reason": image.get("maint_reason"),
            "auto_reset_at": image.get("maint_reset_at"),
        }
        drafts.append((ev.RESOURCE_MAINTENANCE_STARTED, {**data, **maintenance}))
    elif started_before and not started_now:
        drafts.append((ev.RESOURCE_MAINTENANCE_ENDED, data))
    return drafts


_SERIES_FIELDS = (
    "series_id",
    "resource_id",
    "user_id",
    "status",
    "rule",
    "start_time",
    "end_time",
    "cancel_reason",
)


@REGISTRY.register("series")
def series_events(change: ItemChange) -> list[Draft]:
    """A recurring series is written `creating`, then its occurrences, then `active` (or
    `failed` after compensation): it is created when it becomes active, not before."""
    image = change.image
    data = {
        **_project(image, _SERIES_FIELDS),
        "occurrences": len(image.get("occurrence_ids") or []),
        "actor_id": actor_of(change),
    }
    if change.kind == "REMOVE" or not change.changed("status"):
        return []
    if data["status"] == "active" and change.before("status") in {None, "creating"}:
        return [(ev.SERIES_CREATED, data)]
    if data["status"] == "cancelled":
        return [(ev.SERIES_CANCELLED, data)]
    return []


# --- approvals (issue 10) ---------------------------------------------------------------------
_APPROVAL_FIELDS = (
    "reservation_id",
    "resource_id",
    "user_id",
    "start_time",
    "end_time",
    "status",
    "step",
    "closed_reason",
)
_APPROVAL_CLOSED = {
    "approved": ev.APPROVAL_APPROVED,
    "rejected": ev.APPROVAL_REJECTED,
    "expired": ev.APPROVAL_EXPIRED,
}


@REGISTRY.register("approval")
def approval_events(change: ItemChange) -> list[Draft]:
    """A request opened or moved to its next step: `approval.requested` (the step's approvers
    are emailed); closed: approved / rejected / expired (withdrawals are the reservation's
    `reservation.cancelled`); a reminder mark: `approval.reminder_due`."""
    if change.kind == "REMOVE":
        return []
    image = change.image
    data = {**_project(image, _APPROVAL_FIELDS), "actor_id": actor_of(change)}
    status = str(change.after("status"))
    if status == "pending":
        reopened = change.before("status") != "pending" or change.changed("created_at")
        if reopened or change.changed("step"):
            return [(ev.APPROVAL_REQUESTED, data)]
        if change.changed("reminded_step"):
            return [(ev.APPROVAL_REMINDER_DUE, {**data, "actor_id": "system"})]
        return []
    name = _APPROVAL_CLOSED.get(status)
    if name is None or not change.changed("status"):
        return []
    automatic = str(image.get("closed_by") or "") == "system"
    return [(name, {**data, "actor_id": image.get("closed_by"), "automatic": automatic})]
