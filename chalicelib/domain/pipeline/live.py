"""Live messages: which WebSocket audience learns of a bus event, and what each one reads.

`LIVE_ROUTES` is the one table: bus event name -> a pure function turning the event into
`Push`es (an audience and the entry it reads) and `Recheck`s (sockets whose sign-in must be
checked again, and closed if it no longer holds). The topology's live rule routes exactly
the events named here, and docs/events.md "Live messages" documents each entry.

Audiences:
- `user`: every connection of one user (their own reservations, series, ...), full detail.
- `resource`: every connection subscribed to the resource. Entries carry TIMES ONLY; the
  reservation's owner and admins read `detail` instead (reservation id, status, owner id).
- `everyone`: every signed-in connection (a global blackout).

- `approvers`: every connection of every approver of one step of a resource's chain (key
  `<resource_id>#<step>`); the fan-out resolves the step's users and role holders through the
  same `ApproverMail.approvers` the email worker uses (a pure route cannot read the chain).

Waitlist and approval events reach their owner (the waitlister, the requester); a rejected or
expired request also frees its slot for subscribers; a request entering or leaving a step
reaches that step's approvers as `approval.queue_changed`. A new event: one function returning
`Push`es, its name in `LIVE_ROUTES`, a line in docs/events.md; the worker, the rule and the
coalescing follow the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.timeutil import iso_z

LIVE_VERSION = 1
# Entries per WebSocket message: a burst (a bulk booking of 100) becomes a few messages,
# each far below API Gateway's 128 KB frame limit (an entry is ~300 bytes).
MAX_ENTRIES_PER_MESSAGE = 50

AudienceKind = Literal["user", "resource", "everyone", "approvers"]


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    key: str = ""


@dataclass(frozen=True)
class Push:
    """`entry` for everyone in the audience; `detail` instead for `owner_id` and admins."""

    audience: Audience
    entry: dict[str, Any]
    detail: dict[str, Any] | None = None
    owner_id: str | None = None

    def entry_for(self, user_id: str, is_admin: bool) -> dict[str, Any]:
        if self.detail is not None and (is_admin or user_id == self.owner_id):
            return self.detail
        return self.entry


@dataclass(frozen=True)
class Recheck:
    """Re-check the sign-in of a user's sockets, or of the sockets signed in with a token."""

    user_id: str = ""
    token_id: str = ""


Step = Push | Recheck
Route = Callable[[DomainEvent], list[Step]]


def user(user_id: str) -> Audience:
    return Audience("user", user_id)


def resource(resource_id: str) -> Audience:
    return Audience("resource", resource_id)


EVERYONE = Audience("everyone")


def approvers(resource_id: str, step: int) -> Audience:
    return Audience("approvers", f"{resource_id}#{step}")


def approvers_key(key: str) -> tuple[str, int]:
    """`approvers(...)`'s key back to (resource id, step)."""
    resource_id, _, step = key.rpartition("#")
    return resource_id, int(step)


def entry(event: DomainEvent, kind: str, **fields: Any) -> dict[str, Any]:
    """One element of a live message's `events` (the source event's id lets clients drop a
    repeat: the bus and SQS deliver at least once)."""
    return {
        "event": kind,
        "event_id": event.event_id,
        "occurred_at": iso_z(event.metadata.occurred_at),
        **fields,
    }


def own_entry(event: DomainEvent, kind: str, **fields: Any) -> dict[str, Any]:
    """An entry for the change's owner (or an admin): it also names the change's
    `correlation_id`, the one its API answer carried (X-Correlation-Id), so a client can tie
    its own request to the push. Other people's entries leave it out."""
    return {**entry(event, kind, **fields), "correlation_id": event.metadata.correlation_id}


def message(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "live", "v": LIVE_VERSION, "events": entries}


def session_ended(reason: str) -> dict[str, Any]:
    return {"type": "session_ended", "v": LIVE_VERSION, "reason": reason}


# --- reservations ------------------------------------------------------------------------------

_OWN_RESERVATION_FIELDS = (
    "reservation_id",
    "resource_id",
    "series_id",
    "start_time",
    "end_time",
    "status",
    "notes",
    "cancel_reason",
    "previous_start_time",
    "previous_end_time",
)
_SLOT_KIND = {"held": "slot.held"}  # any other occupying status takes the slot


def _slot(event: DomainEvent, kind: str, start: Any, end: Any) -> Push:
    data = event.data
    owner = str(data.get("user_id") or "")
    times = {"resource_id": data.get("resource_id"), "start_time": start, "end_time": end}
    detail = {
        **times,
        "reservation_id": data.get("reservation_id"),
        "status": data.get("status"),
        "user_id": owner,
    }
    return Push(
        resource(str(data.get("resource_id"))),
        entry(event, kind, **times),
        own_entry(event, kind, **detail),
        owner,
    )


def _own(event: DomainEvent) -> list[Step]:
    """The owner's own copy, on every one of their connections (actor ids left out)."""
    owner = event.data.get("user_id")
    if not owner:
        return []
    fields = {k: event.data[k] for k in _OWN_RESERVATION_FIELDS if k in event.data}
    return [Push(user(str(owner)), own_entry(event, event.name, **fields))]


def _created(event: DomainEvent) -> list[Step]:
    kind = _SLOT_KIND.get(str(event.data.get("status")), "slot.taken")
    data = event.data
    return [_slot(event, kind, data.get("start_time"), data.get("end_time")), *_own(event)]


def _freed(event: DomainEvent) -> list[Step]:
    data = event.data
    return [_slot(event, "slot.freed", data.get("start_time"), data.get("end_time")), *_own(event)]


def _rescheduled(event: DomainEvent) -> list[Step]:
    data = event.data
    return [
        _slot(event, "slot.freed", data.get("previous_start_time"), data.get("previous_end_time")),
        _slot(event, "slot.taken", data.get("start_time"), data.get("end_time")),
        *_own(event),
    ]


def _own_series(event: DomainEvent) -> list[Step]:
    owner = event.data.get("user_id")
    if not owner:
        return []
    keys = ("series_id", "resource_id", "status", "rule", "start_time", "end_time", "occurrences")
    fields = {k: event.data.get(k) for k in keys}
    return [Push(user(str(owner)), own_entry(event, event.name, **fields))]


# --- resources -----------------------------------------------------------------------------------


def _resource_push(event: DomainEvent, kind: str, **fields: Any) -> Push:
    resource_id = str(event.data.get("resource_id"))
    return Push(resource(resource_id), entry(event, kind, resource_id=resource_id, **fields))


def _resource_updated(event: DomainEvent) -> list[Step]:
    changed = list(event.data.get("changed_fields") or [])
    steps: list[Step] = []
    if "enabled" in changed:
        kind = "resource.enabled" if event.data.get("enabled") else "resource.disabled"
        steps.append(_resource_push(event, kind))
    if "hours" in changed:
        steps.append(_resource_push(event, "resource.hours_changed"))
    rest = [name for name in changed if name not in {"enabled", "hours"}]
    if rest:
        steps.append(_resource_push(event, "resource.updated", changed_fields=rest))
    return steps


def _maintenance_started(event: DomainEvent) -> list[Step]:
    push = _resource_push(
        event, "resource.maintenance_started", auto_reset_at=event.data.get("auto_reset_at")
    )
    detail = {**push.entry, "maintenance_reason": event.data.get("maintenance_reason")}
    return [Push(push.audience, push.entry, detail, owner_id=None)]


def _simple(kind: str) -> Route:
    return lambda event: [_resource_push(event, kind)]


def _blackout(event: DomainEvent) -> list[Step]:
    data = event.data
    resource_id = data.get("resource_id")
    fields = {
        "resource_id": resource_id,  # null: a global blackout, for every resource
        "change": data.get("change"),
        "start_date": data.get("start_date"),
        "end_date": data.get("end_date"),
    }
    audience = resource(str(resource_id)) if resource_id else EVERYONE
    return [Push(audience, entry(event, "resource.blackouts_changed", **fields))]


# --- sign-ins ------------------------------------------------------------------------------------


def _user_access(event: DomainEvent) -> list[Step]:
    user_id = event.data.get("user_id")
    return [Recheck(user_id=str(user_id))] if user_id else []


def _token_revoked(event: DomainEvent) -> list[Step]:
    token_id = event.data.get("token_id")
    return [Recheck(token_id=str(token_id))] if token_id else []


# --- waitlist and approvals (issue 10) ---------------------------------------------------------

_OWN_WAITLIST_FIELDS = (
    "entry_id",
    "resource_id",
    "status",
    "start_time",
    "end_time",
    "offer_reservation_id",
    "offer_expires_at",
    "reason",
    "auto_book",
)
_OWN_APPROVAL_FIELDS = (
    "reservation_id",
    "resource_id",
    "start_time",
    "end_time",
    "status",
    "step",
    "closed_reason",
    "automatic",
)


def _owned(event: DomainEvent, keys: tuple[str, ...]) -> list[Step]:
    owner = event.data.get("user_id")
    if not owner:
        return []
    fields = {k: event.data[k] for k in keys if k in event.data}
    return [Push(user(str(owner)), own_entry(event, event.name, **fields))]


def _own_waitlist(event: DomainEvent) -> list[Step]:
    """The waitlister's own entry (offers with their deadline); the offer's hold itself
    reaches subscribers as `slot.held` through its `reservation.created`."""
    return _owned(event, _OWN_WAITLIST_FIELDS)


def _own_approval(event: DomainEvent) -> list[Step]:
    return _owned(event, _OWN_APPROVAL_FIELDS)


_QUEUE_FIELDS = ("reservation_id", "resource_id", "start_time", "end_time", "status", "step")


def _queue(event: DomainEvent, step: int, change: str) -> Push:
    """A request entered (`added`) or left (`removed`) the queue of one step's approvers: no
    requester id (the queue screen refetches what it may read). `step` is the queue's step."""
    data = event.data
    fields = {k: data[k] for k in _QUEUE_FIELDS if k in data} | {"step": step}
    return Push(
        approvers(str(data.get("resource_id")), step),
        entry(event, "approval.queue_changed", **fields, change=change),
    )


def _step_of(event: DomainEvent) -> int:
    try:
        return max(int(event.data.get("step") or 0), 0)
    except (TypeError, ValueError):
        return 0


def _approval_requested(event: DomainEvent) -> list[Step]:
    """Opened at step 0, or moved on to its next step (the previous step's approvers see it
    leave their queue)."""
    step = _step_of(event)
    moved = [_queue(event, step - 1, "removed")] if step > 0 else []
    return [*_own_approval(event), _queue(event, step, "added"), *moved]


def _approval_approved(event: DomainEvent) -> list[Step]:
    return [*_own_approval(event), _queue(event, _step_of(event), "removed")]


def _approval_ended(event: DomainEvent) -> list[Step]:
    """A rejected or expired request frees the slot it held (no reservation event says so)."""
    data = event.data
    return [
        _slot(event, "slot.freed", data.get("start_time"), data.get("end_time")),
        *_own_approval(event),
        _queue(event, _step_of(event), "removed"),
    ]


def _approval_withdrawn(event: DomainEvent) -> list[Step]:
    """The requester hears of it as `reservation.cancelled` (which also frees the slot)."""
    return [_queue(event, _step_of(event), "removed")]


LIVE_ROUTES: dict[str, Route] = {
    **dict.fromkeys(
        (
            ev.WAITLIST_JOINED,
            ev.WAITLIST_OFFERED,
            ev.WAITLIST_OFFER_EXPIRED,
            ev.WAITLIST_ACCEPTED,
            ev.WAITLIST_DECLINED,
            ev.WAITLIST_SKIPPED,
            ev.WAITLIST_LEFT,
        ),
        _own_waitlist,
    ),
    ev.APPROVAL_REQUESTED: _approval_requested,
    ev.APPROVAL_APPROVED: _approval_approved,
    ev.APPROVAL_REJECTED: _approval_ended,
    ev.APPROVAL_EXPIRED: _approval_ended,
    ev.APPROVAL_WITHDRAWN: _approval_withdrawn,
    ev.RESERVATION_CREATED: _created,
    ev.RESERVATION_CANCELLED: _freed,
    ev.RESERVATION_NO_SHOW: _freed,
    ev.RESERVATION_EXPIRED: _own,  # it ended: nothing left to free on a calendar
    ev.RESERVATION_RESCHEDULED: _rescheduled,
    ev.SERIES_CREATED: _own_series,
    ev.SERIES_CANCELLED: _own_series,
    ev.RESOURCE_UPDATED: _resource_updated,
    ev.RESOURCE_DELETED: _simple("resource.deleted"),
    ev.RESOURCE_MAINTENANCE_STARTED: _maintenance_started,
    ev.RESOURCE_MAINTENANCE_ENDED: _simple("resource.maintenance_ended"),
    ev.BLACKOUT_CHANGED: _blackout,
    ev.USER_ACCESS_CHANGED: _user_access,
    ev.SESSION_REVOKED: _token_revoked,
}
LIVE_EVENT_NAMES: tuple[str, ...] = tuple(sorted(LIVE_ROUTES))


def steps_for(event: DomainEvent) -> list[Step]:
    route = LIVE_ROUTES.get(event.name)
    return route(event) if route is not None else []
