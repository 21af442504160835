"""A resource group's (location's) calendar feed: every resource of its subtree in one feed,
with the same modes as a resource's feed (public, token, off; off by default) and the same
visibility (busy blocks, details only for their owner and admins).

Bounded: a subtree of more than MAX_FEED_RESOURCES resources cannot have a feed (a 422 when
an admin turns it on and when it is read after it grew), so a feed costs at most that many
resources' window queries; each resource's share is cut at the store's MAX_EVENTS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chalicelib.domain.calendar.feed import RenderedFeed
from chalicelib.domain.calendar.tokens import FeedTokens, token_hash
from chalicelib.domain.catalog.groups import Group, Tree
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.calendar.config import CalendarConfig, webcal
from chalicelib.services.calendar.feeds import CalendarFeeds, WindowDays, may_read
from chalicelib.services.calendar.subscriptions import FeedMode
from chalicelib.store.calendar.tokens import ResourceFeedSetting, StoredToken

MAX_FEED_RESOURCES = 50


class GroupFeedSettings(Protocol):
    """store/calendar/tokens.py `FeedTokenStore`."""

    def group_setting(self, group_id: str) -> ResourceFeedSetting: ...

    def save_group_setting(self, group_id: str, setting: ResourceFeedSetting, at: str) -> None: ...


class GroupMembers(Protocol):
    """The location tree and the resources in a set of groups (wiring adapts the stores)."""

    def tree(self) -> Tree: ...

    def resources_in(self, group_ids: Sequence[str], limit: int) -> list[Resource]: ...


class GroupFeedView:
    def __init__(self, group_id: str, mode: str, url: str | None) -> None:
        self.group_id = group_id
        self.mode = mode
        self.url = url
        self.webcal_url = webcal(url) if url else None


def _not_found() -> NotFound:
    return NotFound("no such calendar feed", code="calendar_feed_not_found")


class GroupFeeds:
    def __init__(
        self,
        feeds: CalendarFeeds,
        settings: GroupFeedSettings,
        members: GroupMembers,
        *,
        clock: Clock,
        config: CalendarConfig,
        derive: FeedTokens,
        max_resources: int = MAX_FEED_RESOURCES,
    ) -> None:
        self._feeds = feeds
        self._settings = settings
        self._members = members
        self._clock = clock
        self._config = config
        self._derive = derive
        self._max = max_resources

    def feed(
        self, group_id: str, days: WindowDays, *, token: str | None, viewer: Principal | None
    ) -> RenderedFeed:
        if not may_read(self._settings.group_setting(group_id), token, viewer):
            raise _not_found()
        tree = self._members.tree()
        if group_id not in tree.groups:
            raise _not_found()  # deleted since its feed was turned on
        group, resources = self._subtree(tree, group_id)
        return self._feeds.of_resources(
            resources, days, viewer, f"{group.name} (Resource Reserver)"
        )

    # --- settings (admins) --------------------------------------------------------------------

    def view(self, principal: Principal, group_id: str) -> GroupFeedView:
        require_admin(principal)
        self._members.tree().get(group_id)  # 404 for an unknown group
        return self._view(group_id, self._settings.group_setting(group_id))

    def set_mode(
        self, principal: Principal, group_id: str, mode: FeedMode, *, regenerate: bool
    ) -> GroupFeedView:
        require_admin(principal)
        tree = self._members.tree()
        tree.get(group_id)
        if mode != "off":
            self._subtree(tree, group_id)  # refuse a feed that could not be served
        token = self._settings.group_setting(group_id).token
        if mode == "token" and (token is None or regenerate):
            nonce = self._derive.new_nonce()
            token = StoredToken(nonce, token_hash(self._derive.token(_owner(group_id), nonce)))
        setting = ResourceFeedSetting(mode, token)
        self._settings.save_group_setting(group_id, setting, iso_z(self._clock.now()))
        return self._view(group_id, setting)

    def _subtree(self, tree: Tree, group_id: str) -> tuple[Group, list[Resource]]:
        group = tree.get(group_id)
        resources = self._members.resources_in(tree.subtree_ids(group_id), self._max + 1)
        if len(resources) > self._max:
            raise InvalidInput(
                f"a location's feed covers at most {self._max} resources; "
                "subscribe to a smaller location or to the resources' own feeds",
                code="group_feed_too_large",
            )
        return group, resources

    def _view(self, group_id: str, setting: ResourceFeedSetting) -> GroupFeedView:
        if setting.mode == "off":
            return GroupFeedView(group_id, "off", None)
        token = None
        if setting.mode == "token" and setting.token is not None:
            token = self._derive.token(_owner(group_id), setting.token.nonce)
        base = self._config.public_url.rstrip("/")
        url = f"{base}/api/v1/calendar/groups/{group_id}/feed.ics"
        return GroupFeedView(group_id, setting.mode, f"{url}?token={token}" if token else url)


def _owner(group_id: str) -> str:
    return f"group:{group_id}"
