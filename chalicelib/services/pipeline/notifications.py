"""Notifications: the worker's delivery of events, and the notification centre's use cases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.notifications import (
    Contact,
    DirectoryEntries,
    Notification,
    compose,
    covered_by_series,
    recipients,
)
from chalicelib.domain.principal import Principal
from chalicelib.domain.timeutil import iso_z
from chalicelib.observability import logger
from chalicelib.services.pipeline.directory_memo import MemoDirectory
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.pipeline.notifications import NotificationStore

_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


class Directory(Protocol):
    """Who users are and what resources are called (read side of other modules' stores)."""

    def contact(self, user_id: str) -> Contact | None: ...

    def resource_name(self, resource_id: str) -> str | None: ...

    def series_status(self, series_id: str) -> str | None: ...

    def look_up(self, user_ids: Sequence[str], resource_ids: Sequence[str]) -> DirectoryEntries:
        """`contact` and `resource_name` of many, in one read."""
        ...


class Pusher(Protocol):
    """Sends messages to every open WebSocket connection of a user (looked up once)."""

    def push(self, user_id: str, messages: Sequence[dict[str, Any]]) -> None: ...


def is_series_occurrence_noise(event: DomainEvent, directory: Directory) -> bool:
    series_id = event.data.get("series_id")
    if not series_id:
        return False
    return covered_by_series(event, directory.series_status(str(series_id)))


class NoPusher:
    def push(self, user_id: str, messages: Sequence[dict[str, Any]]) -> None:
        return None


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None
    unread_count: int


def push_message(note: Notification) -> dict[str, Any]:
    return {
        "type": "notification",
        "v": 1,  # the live message version (docs/events.md "Live messages")
        "notification": {
            "notification_id": note.notification_id,
            "kind": note.kind,
            "title": note.title,
            "body": note.body,
            "data": note.data,
            "created_at": iso_z(note.created_at),
            "read": False,
        },
    }


class NotificationService:
    def __init__(
        self,
        store: NotificationStore,
        directory: Directory,
        pusher: Pusher,
        clock: Clock,
        cursors: CursorCodec,
    ) -> None:
        self._store = store
        self._directory = directory
        self._pusher = pusher
        self._clock = clock
        self._cursors = cursors

    # --- the worker -----------------------------------------------------------------------

    def deliver(self, event: DomainEvent) -> int:
        """Store (once) and push the notification of each affected user; returns how many."""
        return self.deliver_many([event])

    def deliver_many(self, events: Sequence[DomainEvent]) -> int:
        """`deliver` for a batch (issue 16, the bulk lane): each user and resource looked up
        once, each user's notifications stored in a few transactions (still once per id),
        pushed as `deliver` pushes. Returns how many notifications were made."""
        directory = MemoDirectory(self._directory)
        directory.prefetch(events, recipients)
        notes: list[Notification] = []
        for event in events:
            if is_series_occurrence_noise(event, directory):
                continue
            resource_id = str(event.data.get("resource_id") or "")
            name = directory.resource_name(resource_id) if resource_id else None
            for user_id in recipients(event):
                contact = directory.contact(user_id)
                if contact is None:
                    logger.info("no such user to notify", extra={"user_id": user_id})
                    continue
                note = compose(event, contact, resource_name=name)
                if note is not None:
                    notes.append(note)
        self._store.add_many(notes)  # a redelivery stores nothing; its push is repeated, harmless
        by_user: dict[str, list[dict[str, Any]]] = {}
        for note in notes:  # in event order; each user's sockets are looked up once
            by_user.setdefault(note.user_id, []).append(push_message(note))
        for user_id, messages in by_user.items():
            self._pusher.push(user_id, messages)
        return len(notes)

    # --- the notification centre ----------------------------------------------------------

    def page(
        self, principal: Principal, *, unread_only: bool, limit: int, cursor: str | None
    ) -> NotificationPage:
        scope = f"notifications:{principal.subject_id}:{int(unread_only)}"
        items, last = self._store.page(
            principal.subject_id,
            now=self._clock.now(),
            unread_only=unread_only,
            limit=limit,
            start_key=self._cursors.decode(cursor, scope=scope),
        )
        return NotificationPage(
            items=items,
            next_cursor=self._cursors.encode(last, scope=scope),
            unread_count=self._store.unread_count(principal.subject_id),
        )

    def mark_read(self, principal: Principal, notification_id: str) -> Notification:
        if not _ULID.fullmatch(notification_id):
            raise NotFound("no such notification", code="notification_not_found")
        # The key includes the caller's id: another user's notification is simply not found.
        return self._store.mark_read(principal.subject_id, notification_id, self._clock.now())

    def mark_all_read(self, principal: Principal) -> int:
        return self._store.mark_all_read(principal.subject_id, self._clock.now())

    def unread_count(self, principal: Principal) -> int:
        return self._store.unread_count(principal.subject_id)
