"""The pipeline's read-only view of users and resources (adapter of `services.Directory`)."""

from __future__ import annotations

from chalicelib.domain.pipeline.notifications import Contact
from chalicelib.store.accounts.users import UserStore
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.reservations.series import SeriesStore


class StoreDirectory:
    def __init__(self, cursors: CursorCodec) -> None:
        self._users = UserStore()
        self._resources = ResourceStore(cursors)
        self._series = SeriesStore()

    def contact(self, user_id: str) -> Contact | None:
        user = self._users.get(user_id)
        if user is None or user.disabled:
            return None
        return Contact(
            user_id=user.user_id,
            username=user.username,
            email=user.email,
            email_notifications=user.email_notifications,
            reminder_hours=user.reminder_hours,
            timezone=user.timezone,
            is_admin=user.is_admin,
            email_verified=user.email_verified,
        )

    def series_status(self, series_id: str) -> str | None:
        series = self._series.get(series_id)
        return None if series is None else series.status.value

    def resource_name(self, resource_id: str) -> str | None:
        resource = self._resources.find(resource_id, include_deleting=True)
        return None if resource is None else resource.name
