"""The event catalogue: every event's meaning, who may receive it, and a JSON example.

docs/events.md is checked against it (tests/unit/test_events_catalogue.py), and the bus rules
in chalicelib/topology.py take their event lists from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from chalicelib.domain.pipeline.events import (
    APPROVAL_APPROVED,
    APPROVAL_EXPIRED,
    APPROVAL_REJECTED,
    APPROVAL_REMINDER_DUE,
    APPROVAL_REQUESTED,
    RESERVATION_CANCELLED,
    RESERVATION_CREATED,
    RESERVATION_EXPIRED,
    RESERVATION_NO_SHOW,
    RESERVATION_REMINDER_DUE,
    RESERVATION_RESCHEDULED,
    RESOURCE_CREATED,
    RESOURCE_DELETED,
    RESOURCE_MAINTENANCE_ENDED,
    RESOURCE_MAINTENANCE_STARTED,
    RESOURCE_UPDATED,
    SERIES_CANCELLED,
    SERIES_CREATED,
    USER_CREATED,
    USER_EMAIL_VERIFICATION_REQUESTED,
    WAITLIST_ACCEPTED,
    WAITLIST_DECLINED,
    WAITLIST_JOINED,
    WAITLIST_LEFT,
    WAITLIST_OFFER_EXPIRED,
    WAITLIST_OFFERED,
    WAITLIST_SKIPPED,
)

Audience = Literal["owner", "public", "admin"]


@dataclass(frozen=True)
class EventSpec:
    """One catalogue entry. `audience` says who may learn of the event through a webhook:
    the reservation's `owner` (data.user_id), everyone (`public`), or admins only."""

    name: str
    description: str
    audience: Audience
    example: dict[str, Any]
    reserved: bool = False
    notify: bool = False  # in-app notification for the affected user
    email: bool = False  # email to the affected user


_RESV_EXAMPLE: dict[str, Any] = {
    "reservation_id": "01JD2Y6ZQ3V7S1K9T0W8X4M5NB",
    "resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
    "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
    "start_time": "2026-11-25T09:00:00.000Z",
    "end_time": "2026-11-25T10:00:00.000Z",
    "status": "active",
    "series_id": None,
    "notes": "Sprint planning",
    "cancel_reason": None,
    "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
}
_APPROVAL_EXAMPLE: dict[str, Any] = {
    "reservation_id": "01JD2Y6ZQ3V7S1K9T0W8X4M5NB",
    "resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
    "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
    "start_time": "2026-11-25T09:00:00.000Z",
    "end_time": "2026-11-25T10:00:00.000Z",
    "status": "pending",
    "step": 0,
    "closed_reason": None,
    "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
}
_RESOURCE_EXAMPLE: dict[str, Any] = {
    "resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
    "name": "Room 101",
    "enabled": True,
    "actor_id": "01JD2XV8A1B2C3D4E5F6G7H8J9",
}
_SERIES_EXAMPLE: dict[str, Any] = {
    "series_id": "01JD2Y8K4M6N8P0Q2R4S6T8V0W",
    "resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
    "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
    "status": "active",
    "rule": "FREQ=WEEKLY;COUNT=10",
    "start_time": "2026-11-25T09:00:00.000Z",
    "end_time": "2026-11-25T10:00:00.000Z",
    "cancel_reason": None,
    "occurrences": 10,
    "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
}


_WAITLIST_EXAMPLE: dict[str, Any] = {
    "entry_id": "01JD2YB3N5P7Q9R1S3T5V7W9X1",
    "resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
    "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
    "status": "waiting",
    "reservation_id": None,
    "reason": None,
    "start_time": "2026-11-25T09:00:00.000Z",
    "end_time": "2026-11-25T10:00:00.000Z",
    "wish_start_time": "2026-11-25T09:00:00.000Z",
    "wish_end_time": "2026-11-25T10:00:00.000Z",
    "duration_minutes": None,
    "auto_book": False,
    "offer_reservation_id": None,
    "offer_expires_at": None,
    "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
}
_WAITLIST_OFFER_EXAMPLE: dict[str, Any] = {
    **_WAITLIST_EXAMPLE,
    "status": "offered",
    "offer_reservation_id": "01JD2YC8D0E2F4G6H8J0K2M4N6",
    "offer_expires_at": "2026-11-24T09:30:00.000Z",
    "actor_id": "system",
}


def _spec(
    name: str, description: str, audience: Audience, example: dict[str, Any], **kw: Any
) -> EventSpec:
    return EventSpec(name, description, audience, example, **kw)


CATALOGUE: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            RESERVATION_CREATED,
            "A reservation was booked (active or pending approval).",
            "owner",
            _RESV_EXAMPLE,
            notify=True,
            email=True,
        ),
        _spec(
            RESERVATION_RESCHEDULED,
            "A reservation moved to another time window.",
            "owner",
            {
                **_RESV_EXAMPLE,
                "previous_start_time": "2026-11-25T08:00:00.000Z",
                "previous_end_time": "2026-11-25T09:00:00.000Z",
                "previous_resource_id": "01JD2XZP6C0N4B5Q8R7T2V1W3Y",
            },
            notify=True,
            email=True,
        ),
        _spec(
            RESERVATION_CANCELLED,
            "A reservation was cancelled (by its owner or an admin).",
            "owner",
            {
                **_RESV_EXAMPLE,
                "status": "cancelled",
                "cancel_reason": "Room needed",
                "actor_id": "01JD2XV8A1B2C3D4E5F6G7H8J9",
            },
            notify=True,
            email=True,
        ),
        _spec(
            RESERVATION_EXPIRED,
            "A reservation ended and was marked expired by the expiry job.",
            "owner",
            {**_RESV_EXAMPLE, "status": "expired", "actor_id": "system"},
        ),
        _spec(
            RESERVATION_NO_SHOW,
            "The booker did not check in; the slot was released.",
            "owner",
            {**_RESV_EXAMPLE, "status": "no_show", "actor_id": "system"},
            notify=True,
        ),
        _spec(
            RESERVATION_REMINDER_DUE,
            "A reservation starts soon (per the owner's "
            "reminder_hours); emitted once by the reminders job.",
            "owner",
            {**_RESV_EXAMPLE, "reminder_hours": 24},
            notify=True,
            email=True,
        ),
        _spec(
            SERIES_CREATED,
            "A recurring series was created with all its occurrences (one notice for all).",
            "owner",
            _SERIES_EXAMPLE,
            notify=True,
        ),
        _spec(
            SERIES_CANCELLED,
            "A recurring series was cancelled.",
            "owner",
            {**_SERIES_EXAMPLE, "status": "cancelled", "cancel_reason": "Project ended"},
            notify=True,
            email=True,
        ),
        _spec(
            RESOURCE_CREATED, "A resource was added to the catalogue.", "public", _RESOURCE_EXAMPLE
        ),
        _spec(
            RESOURCE_UPDATED,
            "A resource's details changed.",
            "public",
            {**_RESOURCE_EXAMPLE, "changed_fields": ["name", "capacity"]},
        ),
        _spec(
            RESOURCE_DELETED,
            "A resource was removed from the catalogue.",
            "public",
            _RESOURCE_EXAMPLE,
        ),
        _spec(
            RESOURCE_MAINTENANCE_STARTED,
            "A resource went into maintenance.",
            "public",
            {
                **_RESOURCE_EXAMPLE,
                "maintenance_reason": "Projector repair",
                "auto_reset_at": "2026-11-25T17:00:00.000Z",
            },
        ),
        _spec(
            RESOURCE_MAINTENANCE_ENDED,
            "A resource left maintenance (by hand or auto-reset).",
            "public",
            _RESOURCE_EXAMPLE,
        ),
        _spec(
            USER_CREATED,
            "A user account was registered.",
            "admin",
            {
                "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
                "username": "ada",
                "roles": ["user"],
                "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
            },
        ),
        _spec(
            USER_EMAIL_VERIFICATION_REQUESTED,
            "A user's address needs verifying: the email worker mails the link (internal: "
            "no webhook receives it).",
            "owner",
            {
                "user_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
                "verification_id": "5f0c2a8e91d4b7c3a6e2",
                "actor_id": "01JD2XW3E9F5G6H7J8K9M0N1P2",
            },
            email=True,
        ),
        # --- waitlist (domain/pipeline/mappings.py `waitlist_events`) ---
        _spec(
            WAITLIST_JOINED,
            "A user joined a resource's waitlist (the waitlist worker checks at once whether "
            "the wished window is free).",
            "owner",
            _WAITLIST_EXAMPLE,
        ),
        _spec(
            WAITLIST_OFFERED,
            "A freed window is held for a waitlister (a `held` reservation, "
            "`offer_reservation_id`) until `offer_expires_at`; accept or decline it.",
            "owner",
            _WAITLIST_OFFER_EXAMPLE,
            notify=True,
            email=True,
        ),
        _spec(
            WAITLIST_OFFER_EXPIRED,
            "An offer was not accepted in time: the hold was released and the window goes to "
            "the next entry.",
            "owner",
            {
                **_WAITLIST_OFFER_EXAMPLE,
                "status": "lapsed",
                "actor_id": "system",
                "reason": "the offer was not accepted in time",
            },
            notify=True,
            email=True,
        ),
        _spec(
            WAITLIST_ACCEPTED,
            "An offer was accepted, or an auto-book entry was booked: `reservation_id` is the "
            "booking (active, or pending approval).",
            "owner",
            {
                **_WAITLIST_OFFER_EXAMPLE,
                "status": "booked",
                "reservation_id": _WAITLIST_OFFER_EXAMPLE["offer_reservation_id"],
            },
            notify=True,
            email=True,
        ),
        _spec(
            WAITLIST_DECLINED,
            "A waitlister declined an offer: the hold was released for the next entry.",
            "owner",
            {**_WAITLIST_OFFER_EXAMPLE, "status": "declined"},
        ),
        _spec(
            WAITLIST_SKIPPED,
            "A freed window was not given to this entry because a booking rule refused it "
            "(`reason`, e.g. a blackout); the entry keeps waiting.",
            "owner",
            {
                **_WAITLIST_EXAMPLE,
                "reason": "Room 101 cannot be booked on 2026-11-25: Holiday",
                "actor_id": "system",
            },
            notify=True,
        ),
        _spec(
            WAITLIST_LEFT,
            "An entry left the queue: the user left it (`status` left) or its wished time "
            "passed (`status` expired).",
            "owner",
            {**_WAITLIST_EXAMPLE, "status": "left"},
        ),
        # Approvals (issue 10).
        _spec(
            APPROVAL_REQUESTED,
            "A booking awaits approval at `step` (sent again as it reaches each next step); "
            "the step's approvers are emailed one-click links.",
            "owner",
            _APPROVAL_EXAMPLE,
            email=True,
        ),
        _spec(
            APPROVAL_APPROVED,
            "The last step approved the request: the reservation is active.",
            "owner",
            {**_APPROVAL_EXAMPLE, "status": "approved", "automatic": False},
            notify=True,
            email=True,
        ),
        _spec(
            APPROVAL_REJECTED,
            "The request was rejected (by an approver, or `automatic` when an overlapping "
            "request was approved).",
            "owner",
            {
                **_APPROVAL_EXAMPLE,
                "status": "rejected",
                "closed_reason": "another request for an overlapping time was approved",
                "actor_id": "system",
                "automatic": True,
            },
            notify=True,
            email=True,
        ),
        _spec(
            APPROVAL_EXPIRED,
            "The request ran out undecided (the resource's expiry_hours, or its start came).",
            "owner",
            {**_APPROVAL_EXAMPLE, "status": "expired", "actor_id": "system", "automatic": True},
            notify=True,
            email=True,
        ),
        _spec(
            APPROVAL_REMINDER_DUE,
            "A step waited longer than the resource's remind_after_hours; its approvers are "
            "reminded once per step.",
            "owner",
            {**_APPROVAL_EXAMPLE, "actor_id": "system"},
            email=True,
        ),
    )
}

PUBLIC_EVENT_NAMES: tuple[str, ...] = tuple(sorted(CATALOGUE))
NOTIFY_EVENT_NAMES: tuple[str, ...] = tuple(n for n, s in sorted(CATALOGUE.items()) if s.notify)
EMAIL_EVENT_NAMES: tuple[str, ...] = tuple(n for n, s in sorted(CATALOGUE.items()) if s.email)
# Webhook subscribers get every catalogue event except the internal ones.
INTERNAL_EVENT_NAMES = frozenset({RESERVATION_REMINDER_DUE, USER_EMAIL_VERIFICATION_REQUESTED})
WEBHOOK_EVENT_NAMES: tuple[str, ...] = tuple(
    n for n in PUBLIC_EVENT_NAMES if n not in INTERNAL_EVENT_NAMES
)
