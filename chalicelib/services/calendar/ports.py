"""What the calendar service needs from storage (adapters in store/calendar/, fakes not
needed: the integration tests run the real adapters on moto)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chalicelib.domain.calendar.feed import FeedEntry, FeedWindow
from chalicelib.domain.catalog.resources import Resource
from chalicelib.store.calendar.tokens import ResourceFeedSetting, StoredToken


class FeedEntryReads(Protocol):
    """store/calendar/entries.py `FeedEntries`."""

    def for_user(self, user_id: str, window: FeedWindow) -> list[FeedEntry]: ...

    def for_resource(self, resource_id: str, window: FeedWindow) -> list[FeedEntry]: ...

    def one(self, reservation_id: str) -> FeedEntry | None: ...


class FeedTokenItems(Protocol):
    """store/calendar/tokens.py `FeedTokenStore`."""

    def user_token(self, user_id: str) -> StoredToken | None: ...

    def owner_of(self, token_hash: str) -> str | None: ...

    def replace_user_token(
        self, user_id: str, old: StoredToken | None, new: StoredToken, at: str
    ) -> None: ...

    def resource_setting(self, resource_id: str) -> ResourceFeedSetting: ...

    def save_resource_setting(
        self, resource_id: str, setting: ResourceFeedSetting, at: str
    ) -> None: ...


class Catalog(Protocol):
    """store/catalog/repository.py `ResourceStore`."""

    def get(self, resource_id: str) -> Resource: ...

    def get_many(self, resource_ids: Iterable[str]) -> dict[str, Resource]: ...
