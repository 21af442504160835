"""Subscription URLs: a user's feed token (shown again on request, replaced on demand) and
each resource's feed setting (admins).

A token is derived from a stored nonce (domain/calendar/tokens.py), so "show my URL" needs no
stored token, and "regenerate" is a new nonce: the old URL stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.calendar.tokens import FeedTokens, token_hash
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.calendar.config import CalendarConfig, webcal
from chalicelib.services.calendar.ports import Catalog, FeedTokenItems
from chalicelib.store.calendar.tokens import ResourceFeedSetting, StoredToken

FeedMode = Literal["public", "token", "off"]
_ATTEMPTS = 3


@dataclass(frozen=True)
class Subscription:
    url: str
    webcal_url: str


@dataclass(frozen=True)
class ResourceFeedView:
    resource_id: str
    mode: str
    url: str | None  # None while the feed is off
    webcal_url: str | None


class CalendarSubscriptions:
    def __init__(
        self,
        tokens: FeedTokenItems,
        catalog: Catalog,
        clock: Clock,
        config: CalendarConfig,
        derive: FeedTokens,
    ) -> None:
        self._tokens = tokens
        self._catalog = catalog
        self._clock = clock
        self._config = config
        self._derive = derive

    def subscription(self, principal: Principal) -> Subscription:
        """The caller's feed URL, made on first request."""
        user_id = principal.subject_id
        for _ in range(_ATTEMPTS):
            stored = self._tokens.user_token(user_id)
            if stored is not None:
                return self._subscription(user_id, stored)
            try:
                return self._subscription(user_id, self._replace(user_id, None))
            except Conflict:
                continue  # made by a concurrent first request: read it
        raise Conflict("the feed token changed meanwhile; retry", code="write_conflict")

    def regenerate(self, principal: Principal) -> Subscription:
        user_id = principal.subject_id
        stored = self._tokens.user_token(user_id)
        return self._subscription(user_id, self._replace(user_id, stored))

    def _replace(self, user_id: str, old: StoredToken | None) -> StoredToken:
        nonce = self._derive.new_nonce()
        new = StoredToken(nonce, token_hash(self._derive.token(_user_owner(user_id), nonce)))
        self._tokens.replace_user_token(user_id, old, new, iso_z(self._clock.now()))
        return new

    def _subscription(self, user_id: str, stored: StoredToken) -> Subscription:
        url = self._config.feed_url(self._derive.token(_user_owner(user_id), stored.nonce))
        return Subscription(url, webcal(url))

    # --- resource feeds (admins) ------------------------------------------------------------

    def resource_view(self, principal: Principal, resource_id: str) -> ResourceFeedView:
        require_admin(principal)
        self._catalog.get(resource_id)  # 404 for an unknown resource
        return self._view(resource_id, self._tokens.resource_setting(resource_id))

    def set_resource_mode(
        self, principal: Principal, resource_id: str, mode: FeedMode, *, regenerate: bool
    ) -> ResourceFeedView:
        require_admin(principal)
        self._catalog.get(resource_id)
        current = self._tokens.resource_setting(resource_id)
        token = current.token
        if mode == "token" and (token is None or regenerate):
            nonce = self._derive.new_nonce()
            owner = _resource_owner(resource_id)
            token = StoredToken(nonce, token_hash(self._derive.token(owner, nonce)))
        setting = ResourceFeedSetting(mode, token)
        self._tokens.save_resource_setting(resource_id, setting, iso_z(self._clock.now()))
        return self._view(resource_id, setting)

    def _view(self, resource_id: str, setting: ResourceFeedSetting) -> ResourceFeedView:
        if setting.mode == "off":
            return ResourceFeedView(resource_id, "off", None, None)
        token = None
        if setting.mode == "token" and setting.token is not None:
            token = self._derive.token(_resource_owner(resource_id), setting.token.nonce)
        url = self._config.resource_feed_url(resource_id, token)
        return ResourceFeedView(resource_id, setting.mode, url, webcal(url))


def _user_owner(user_id: str) -> str:
    return f"user:{user_id}"


def _resource_owner(resource_id: str) -> str:
    return f"resource:{resource_id}"
