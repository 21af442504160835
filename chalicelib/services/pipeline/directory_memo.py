"""A `Directory` that looks each user, resource and series up once (one batch's lifetime).

The bulk lane (issue 16) handles up to 50 events per envelope, mostly of a few users and
resources: without this every event re-read the same profile and resource items. Built per
batch, never shared: a later batch sees renames and preference changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.notifications import Contact, DirectoryEntries

if TYPE_CHECKING:  # the protocol's module uses this one
    from chalicelib.services.pipeline.notifications import Directory


class MemoDirectory:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._contacts: dict[str, Contact | None] = {}
        self._names: dict[str, str | None] = {}
        self._series: dict[str, str | None] = {}

    def prefetch(
        self, events: Sequence[DomainEvent], users_of: Callable[[DomainEvent], list[str]]
    ) -> None:
        """Look up the events' users (`users_of`) and resources in one read, before they are
        asked for one by one (issue 16: an interactive event cost two reads, one now)."""
        users = [u for e in events for u in users_of(e) if u not in self._contacts]
        resources = [
            str(e.data["resource_id"])
            for e in events
            if e.data.get("resource_id") and str(e.data["resource_id"]) not in self._names
        ]
        if users or resources:
            found = self._directory.look_up(users, resources)
            self._contacts.update(found.contacts)
            self._names.update(found.names)

    def look_up(self, user_ids: Sequence[str], resource_ids: Sequence[str]) -> DirectoryEntries:
        return DirectoryEntries(
            {u: self.contact(u) for u in user_ids}, {r: self.resource_name(r) for r in resource_ids}
        )

    def contact(self, user_id: str) -> Contact | None:
        if user_id not in self._contacts:
            self._contacts[user_id] = self._directory.contact(user_id)
        return self._contacts[user_id]

    def resource_name(self, resource_id: str) -> str | None:
        if resource_id not in self._names:
            self._names[resource_id] = self._directory.resource_name(resource_id)
        return self._names[resource_id]

    def series_status(self, series_id: str) -> str | None:
        if series_id not in self._series:
            self._series[series_id] = self._directory.series_status(series_id)
        return self._series[series_id]
