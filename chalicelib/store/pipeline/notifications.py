"""Notification items and the per-user unread counter.

| item                  | PK              | SK          | GSI1 (sparse: unread only)          |
|-----------------------|-----------------|-------------|-------------------------------------|
| notification          | NOTIF#<user id> | N#<ulid>    | NOTIF_UNREAD#<user id> / <ulid>     |
| notification_counter  | NOTIF#<user id> | COUNTER     |                                     |

The counter moves in the same transaction as the notification it counts (put: +1, first
read: -1), so `unread_count` is exact without counting items. Unread notifications never
expire; a read one expires `READ_RETENTION` after it was read (TTL plus a reader filter),
so the counter cannot drift through TTL deletions.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.pagination import ResultIterator

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.pipeline.notifications import Notification
from chalicelib.domain.timeutil import epoch_seconds, iso_z, parse_instant
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

READ_RETENTION = timedelta(days=30)
_SK_PREFIX = "N#"
_COUNTER_SK = "COUNTER"
_BULK_CHUNK = 24  # + the counter update = 25 items per transaction


def notifications_pk(user_id: str) -> str:
    return f"NOTIF#{user_id}"


def unread_pk(user_id: str) -> str:
    return f"NOTIF_UNREAD#{user_id}"


def notification_sk(notification_id: str) -> str:
    return f"{_SK_PREFIX}{notification_id}"


class NotificationItem(TableItem, discriminator="notification"):  # type: ignore[call-arg]
    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    data = UnicodeAttribute(null=True)  # JSON object of strings
    created_at = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)


class NotificationCounterItem(TableItem, discriminator="notification_counter"):  # type: ignore[call-arg]
    unread = NumberAttribute(default=0)


class _AlreadyThere(DomainError):
    code = "already_there"


class _AlreadyRead(DomainError):
    code = "already_read"


def _to_domain(item: NotificationItem) -> Notification:
    return Notification(
        notification_id=item.notification_id,
        user_id=item.user_id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        created_at=parse_instant(item.created_at),
        data=json.loads(item.data) if item.data else {},
        read_at=parse_instant(item.read_at) if item.read_at else None,
    )


def _key(user_id: str, notification_id: str) -> NotificationItem:
    return NotificationItem(notifications_pk(user_id), notification_sk(notification_id))


def _counter(user_id: str) -> NotificationCounterItem:
    return NotificationCounterItem(notifications_pk(user_id), _COUNTER_SK)


NOTES_PER_TRANSACTION = 50


class NotificationStore:
    def add(self, note: Notification) -> bool:
        """Store a notification once; False when this id was already stored (a redelivery)."""
        return _add_group(note.user_id, [note])

    def add_many(self, notes: Sequence[Notification]) -> int:
        """`add` for many (issue 16, the bulk lane): one transaction per user and up to
        `NOTES_PER_TRANSACTION` notifications, their unread counter bumped once; if one of
        them was stored before (a redelivery), that group is added one by one instead, so
        each is still stored and counted once. Returns how many were stored now."""
        by_user: dict[str, list[Notification]] = {}
        for note in {n.notification_id: n for n in notes}.values():
            by_user.setdefault(note.user_id, []).append(note)
        stored = 0
        for user_id, mine in by_user.items():
            for first in range(0, len(mine), NOTES_PER_TRANSACTION):
                group = mine[first : first + NOTES_PER_TRANSACTION]
                if len(group) > 1 and _add_group(user_id, group):
                    stored += len(group)
                else:
                    stored += sum(self.add(note) for note in group)
        return stored

    def mark_read(self, user_id: str, notification_id: str, now: datetime) -> Notification:
        # Reading twice is not an error; the counter moved the first time only.
        with contextlib.suppress(_AlreadyRead):
            self._mark([notification_id], user_id, now)
        return self.require(user_id, notification_id)

    def mark_all_read(self, user_id: str, now: datetime, *, limit: int = 1000) -> int:
        """Mark up to `limit` unread notifications read; returns how many changed."""
        bind()
        marked = 0
        ids = [
            str(item.GSI1SK)
            for item in NotificationItem.gsi1.query(unread_pk(user_id), limit=limit)
        ]
        for start in range(0, len(ids), _BULK_CHUNK):
            chunk = ids[start : start + _BULK_CHUNK]
            try:
                self._mark(chunk, user_id, now)
                marked += len(chunk)
            except (_AlreadyRead, NotFound):  # raced with a single read: go one by one
                marked += sum(self._mark_one_quietly(user_id, nid, now) for nid in chunk)
        return marked

    def _mark_one_quietly(self, user_id: str, notification_id: str, now: datetime) -> int:
        try:
            self._mark([notification_id], user_id, now)
        except (_AlreadyRead, NotFound):
            return 0
        return 1

    def _mark(self, ids: list[str], user_id: str, now: datetime) -> None:
        tx = Tx()
        for nid in ids:
            label = f"n:{nid}"
            tx.update(
                _key(user_id, nid),
                [
                    NotificationItem.read_at.set(iso_z(now)),
                    NotificationItem.expires_at.set(epoch_seconds(now + READ_RETENTION)),
                    NotificationItem.GSI1PK.remove(),
                    NotificationItem.GSI1SK.remove(),
                ],
                NotificationItem.PK.exists() & NotificationItem.read_at.does_not_exist(),
                label,
            )
            tx.on_fail(label, partial(self._why_not, user_id, nid))
        tx.update(_counter(user_id), [NotificationCounterItem.unread.add(-len(ids))], None, "count")
        tx.commit()

    def _why_not(self, user_id: str, notification_id: str) -> DomainError:
        if self.get(user_id, notification_id) is None:
            return _not_found()
        return _AlreadyRead("already read")

    def get(self, user_id: str, notification_id: str) -> Notification | None:
        bind()
        try:
            item = NotificationItem.get(
                notifications_pk(user_id), notification_sk(notification_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return _to_domain(item)

    def require(self, user_id: str, notification_id: str) -> Notification:
        note = self.get(user_id, notification_id)
        if note is None:
            raise _not_found()
        return note

    def unread_count(self, user_id: str) -> int:
        bind()
        try:
            counter = NotificationCounterItem.get(
                notifications_pk(user_id), _COUNTER_SK, consistent_read=True
            )
        except DoesNotExist:
            return 0
        return max(0, int(counter.unread))

    def page(
        self,
        user_id: str,
        *,
        now: datetime,
        unread_only: bool,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> tuple[list[Notification], dict[str, Any] | None]:
        """Newest first. Read notifications past their retention are skipped (TTL is lazy)."""
        bind()
        not_expired = NotificationItem.expires_at.does_not_exist() | (
            NotificationItem.expires_at > epoch_seconds(now)
        )
        results: ResultIterator[Any]
        if unread_only:
            results = NotificationItem.gsi1.query(
                unread_pk(user_id),
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=start_key,
            )
        else:
            results = NotificationItem.query(
                notifications_pk(user_id),
                NotificationItem.SK.startswith(_SK_PREFIX),
                filter_condition=not_expired,
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=start_key,
            )
        items = [_to_domain(i) for i in results if isinstance(i, NotificationItem)]
        return items, results.last_evaluated_key


def _not_found() -> NotFound:
    return NotFound("no such notification", code="notification_not_found")


def _add_group(user_id: str, group: Sequence[Notification]) -> bool:
    """All of `group` and the unread counter bumped by as many, or nothing (False) if one
    of them was stored before."""
    tx = Tx()
    for note in group:
        tx.put(_note_item(note), NotificationItem.PK.does_not_exist(), "note")
    tx.update(_counter(user_id), [NotificationCounterItem.unread.add(len(group))], None, "count")
    tx.on_fail("note", lambda: _AlreadyThere("already stored"))
    try:
        tx.commit()
    except _AlreadyThere:
        return False
    return True


def _note_item(note: Notification) -> NotificationItem:
    return NotificationItem(
        PK=notifications_pk(note.user_id),
        SK=notification_sk(note.notification_id),
        GSI1PK=unread_pk(note.user_id),
        GSI1SK=note.notification_id,
        notification_id=note.notification_id,
        user_id=note.user_id,
        kind=note.kind,
        title=note.title,
        body=note.body,
        data=json.dumps(note.data, sort_keys=True) if note.data else None,
        created_at=iso_z(note.created_at),
    )
