"""The pipeline's read-only view of users and resources (adapter of `services.Directory`)."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.pipeline.notifications import Contact, DirectoryEntries
from chalicelib.store import dynamo
from chalicelib.store.accounts.users import PROFILE_SK, UserItem, UserStore, to_domain, user_pk
from chalicelib.store.catalog.items import META, ResourceItem, resource_pk
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.reservations.items import table_name
from chalicelib.store.reservations.series import SeriesStore
from chalicelib.store.table import bind


def _contact(user: User | None) -> Contact | None:
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


class StoreDirectory:
    def __init__(self, cursors: CursorCodec) -> None:
        self._users = UserStore()
        self._resources = ResourceStore(cursors)
        self._series = SeriesStore()

    def contact(self, user_id: str) -> Contact | None:
        return _contact(self._users.get(user_id))

    def look_up(self, user_ids: Sequence[str], resource_ids: Sequence[str]) -> DirectoryEntries:
        """`contact` and `resource_name` of many at once: ONE strongly consistent BatchGetItem
        per 100 keys (a worker's event names its owner and its resource: one call, not two)."""
        bind()
        users = list(dict.fromkeys(user_ids))
        resources = list(dict.fromkeys(resource_ids))
        keys = [(user_pk(u), PROFILE_SK) for u in users]
        keys += [(resource_pk(r), META) for r in resources]
        found = dynamo.batch_get(
            table_name(), [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in keys]
        )
        entries = DirectoryEntries()
        for user_id in users:
            raw = found.get((user_pk(user_id), PROFILE_SK))
            entries.contacts[user_id] = _contact(
                to_domain(UserItem.from_raw_data(raw)) if raw else None
            )
        for resource_id in resources:
            raw = found.get((resource_pk(resource_id), META))
            # Deleting or not, as `resource_name` reads it: the event may be about its removal.
            entries.names[resource_id] = str(ResourceItem.from_raw_data(raw).name) if raw else None
        return entries

    def series_status(self, series_id: str) -> str | None:
        series = self._series.get(series_id)
        return None if series is None else series.status.value

    def resource_name(self, resource_id: str) -> str | None:
        resource = self._resources.find(resource_id, include_deleting=True)
        return None if resource is None else resource.name
