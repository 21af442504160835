"""Which domain events each kind of item change means (pure; one mapper per item `type`).

The item shapes are owned by the store modules (`chalicelib/store/<entity>.py`); a mapper
reads only the attributes it needs and publishes an explicit projection, never the raw item
(no password hashes, no secrets, no key attributes).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.accounts.email_verification import verification_id
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
    moved = moved or change.changed("resource_id")
    if moved and change.after("status") in _OCCUPYING:
        data["previous_start_time"] = change.before("start_time")
        data["previous_end_time"] = change.before("end_time")
        # Waitlist: the freed window may be on another resource than the new one.
        data["previous_resource_id"] = change.before("resource_id")
        return [(ev.RESERVATION_RESCHEDULED, data)]
    return []


@REGISTRY.register("reservation_reminder")
def reminder_events(change: ItemChange) -> list[Draft]:
    """The reminders job writes one marker per reservation; its insert is the event."""
    if change.kind != "INSERT":
        return []
    data = _project(change.image, (*_RESERVATION_FIELDS, "reminder_hours"))
    return [(ev.RESERVATION_REMINDER_DUE, {**data, "actor_id": "system"})]


# What ends a signed-in WebSocket (domain/pipeline/connections.py `session_problem`).
_ACCESS_FIELDS = ("disabled", "token_version", "roles")


def _access_changed(change: ItemChange, name: str) -> bool:
    before, after = change.before(name), change.after(name)
    if name == "roles":  # a string set: its order in a stream image means nothing
        return sorted(before or []) != sorted(after or [])
    return bool(before != after)


@REGISTRY.register("user")
def user_events(change: ItemChange) -> list[Draft]:
    image = change.image
    drafts: list[Draft] = []
    if change.kind == "INSERT":
        data = {
            "user_id": image.get("user_id"),
            "username": image.get("username"),
            "roles": sorted(image.get("roles") or []),
            "actor_id": actor_of(change),
        }
        drafts.append((ev.USER_CREATED, data))
    else:
        changed = [name for name in _ACCESS_FIELDS if _access_changed(change, name)]
        if change.kind == "REMOVE" or changed:
            # Internal: the live fan-out re-checks (and closes) the user's sockets.
            access = {"user_id": image.get("user_id"), "changed": changed or ["deleted"]}
            drafts.append((ev.USER_ACCESS_CHANGED, access))
    # A new nonce means a new link to mail. The event carries no nonce and no address: the
    # worker reads the user's pending link and sends it only if it is still the one this
    # event announced (`verification_id`), so a stale event sends nothing.
    new_nonce = change.after("email_verify_nonce")
    if change.kind != "REMOVE" and new_nonce and change.changed("email_verify_nonce"):
        data = {
            "user_id": image.get("user_id"),
            "verification_id": verification_id(str(new_nonce)),
            "actor_id": actor_of(change),
        }
        drafts.append((ev.USER_EMAIL_VERIFICATION_REQUESTED, data))
    return drafts


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


# --- waitlist (entries: store/waitlist/items.py) ---------------------------------------------
_ENTRY_FIELDS = ("entry_id", "resource_id", "user_id", "status", "reservation_id", "reason")
_ENTRY_STATUS_EVENTS = {
    "offered": ev.WAITLIST_OFFERED,
    "booked": ev.WAITLIST_ACCEPTED,
    "declined": ev.WAITLIST_DECLINED,
    "lapsed": ev.WAITLIST_OFFER_EXPIRED,
    "left": ev.WAITLIST_LEFT,
    "expired": ev.WAITLIST_LEFT,
    "waiting": ev.WAITLIST_SKIPPED,  # back from an offer whose rules failed at accept
}


def waitlist_data(image: dict[str, Any]) -> dict[str, Any]:
    """`start_time` / `end_time` are the offered window when there is one, else the wish's
    span (what notifications and emails show); the wish is kept as `wish_*`."""
    offered = bool(image.get("offer_start_time"))
    return {
        **_project(image, _ENTRY_FIELDS),
        "start_time": image.get("offer_start_time") if offered else image.get("start_time"),
        "end_time": image.get("offer_end_time") if offered else image.get("end_time"),
        "wish_start_time": image.get("start_time"),
        "wish_end_time": image.get("end_time"),
        "duration_minutes": int(image["duration_s"]) // 60 if image.get("duration_s") else None,
        "auto_book": bool(image.get("auto_book")),
        "offer_reservation_id": image.get("offer_reservation_id"),
        "offer_expires_at": image.get("offer_expires_at"),
    }


@REGISTRY.register("waitlist_entry")
def waitlist_events(change: ItemChange) -> list[Draft]:
    data = {**waitlist_data(change.image), "actor_id": actor_of(change)}
    if change.kind == "INSERT":
        return [(ev.WAITLIST_JOINED, data)]
    if change.kind != "MODIFY":
        return []
    if change.changed("status"):
        name = _ENTRY_STATUS_EVENTS.get(str(change.after("status")))
        return [(name, data)] if name else []
    if change.after("status") == "waiting" and change.changed("reason") and data["reason"]:
        return [(ev.WAITLIST_SKIPPED, data)]  # passed over: a rule refused the freed window
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
    "withdrawn": ev.APPROVAL_WITHDRAWN,  # internal: the approvers' live queue only
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


@REGISTRY.register("denied_token")
def denied_token_events(change: ItemChange) -> list[Draft]:
    """A logout denies its access token (`JTI#<jti>` / `DENY`): sockets signed in with it
    are closed by the live fan-out."""
    if change.kind != "INSERT":
        return []
    pk = str(change.image.get("PK") or "")
    return [(ev.SESSION_REVOKED, {"token_id": pk.removeprefix("JTI#")})] if pk else []


@REGISTRY.register("blackout")
def blackout_events(change: ItemChange) -> list[Draft]:
    """Dates only: a blackout's reason is shown where the resource's rules are, not pushed."""
    kinds = {"INSERT": "added", "MODIFY": "updated", "REMOVE": "removed"}
    data = _project(change.image, ("blackout_id", "resource_id", "start_date", "end_date"))
    return [(ev.BLACKOUT_CHANGED, {**data, "change": kinds[change.kind]})]
