"""Calendar feeds (issue 12): the feed and subscription services with their real adapters."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import clock

if TYPE_CHECKING:
    from chalicelib.services.calendar.config import CalendarConfig
    from chalicelib.services.calendar.feeds import CalendarFeeds
    from chalicelib.services.calendar.group_feeds import GroupFeeds
    from chalicelib.services.calendar.subscriptions import CalendarSubscriptions


def calendar_config() -> CalendarConfig:
    from chalicelib.services.calendar.config import CalendarConfig
    from chalicelib.settings import get_settings

    settings = get_settings()
    return CalendarConfig(
        public_url=settings.api_public_url,
        retention=timedelta(days=settings.calendar_cancelled_retention_days),
        refresh=timedelta(minutes=settings.calendar_refresh_minutes),
    )


def calendar_feeds() -> CalendarFeeds:
    from chalicelib.services.calendar.feeds import CalendarFeeds
    from chalicelib.store.calendar.entries import FeedEntries
    from chalicelib.store.calendar.tokens import FeedTokenStore

    return CalendarFeeds(
        FeedEntries(), FeedTokenStore(), resource_store(), clock(), calendar_config()
    )


def calendar_subscriptions() -> CalendarSubscriptions:
    from chalicelib.domain.calendar.tokens import FeedTokens
    from chalicelib.services.calendar.subscriptions import CalendarSubscriptions
    from chalicelib.settings import get_settings
    from chalicelib.store.calendar.tokens import FeedTokenStore

    return CalendarSubscriptions(
        FeedTokenStore(),
        resource_store(),
        clock(),
        calendar_config(),
        FeedTokens(get_settings().secret_key),
    )


def calendar_group_feeds() -> GroupFeeds:
    """A location's feed (issue 12): its subtree's resources in one feed."""
    from chalicelib.domain.calendar.tokens import FeedTokens
    from chalicelib.services.calendar.group_feeds import GroupFeeds
    from chalicelib.settings import get_settings
    from chalicelib.store.calendar.group_members import GroupMembers
    from chalicelib.store.calendar.tokens import FeedTokenStore

    now = clock().now
    return GroupFeeds(
        calendar_feeds(),
        FeedTokenStore(),
        GroupMembers(resource_store(), now),
        clock=clock(),
        config=calendar_config(),
        derive=FeedTokens(get_settings().secret_key),
    )
