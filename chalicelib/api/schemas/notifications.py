"""Notification centre: request and response models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import PageQuery, UtcDatetime
from chalicelib.domain.pipeline.notifications import Notification


class NotificationQuery(PageQuery):
    unread_only: bool = Field(default=False, description="Only notifications not yet read.")


class NotificationOut(BaseModel):
    notification_id: str
    kind: str = Field(description="The event that caused it, e.g. `reservation.cancelled`.")
    title: str
    body: str
    data: dict[str, str] = Field(description="Ids to link to (reservation_id, resource_id...).")
    created_at: UtcDatetime
    read: bool
    read_at: UtcDatetime | None = None

    @classmethod
    def from_domain(cls, note: Notification) -> NotificationOut:
        return cls(
            notification_id=note.notification_id,
            kind=note.kind,
            title=note.title,
            body=note.body,
            data=note.data,
            created_at=note.created_at,
            read=not note.unread,
            read_at=note.read_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread_count: int = Field(description="All unread notifications of the caller, not the page.")


class ReadAllOut(BaseModel):
    marked: int = Field(description="How many notifications this call marked read.")
    unread_count: int
