"""A `Directory` that looks each user, resource and series up once (one batch's lifetime).

The bulk lane (issue 16) handles up to 50 events per envelope, mostly of a few users and
resources: without this every event re-read the same profile and resource items. Built per
batch, never shared: a later batch sees renames and preference changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.pipeline.notifications import Contact

if TYPE_CHECKING:  # the protocol's module uses this one
    from chalicelib.services.pipeline.notifications import Directory


class MemoDirectory:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._contacts: dict[str, Contact | None] = {}
        self._names: dict[str, str | None] = {}
        self._series: dict[str, str | None] = {}

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
