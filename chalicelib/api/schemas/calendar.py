"""Calendar feeds (issue 12): window query, subscription URLs, links, resource feed settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.common import Strict
from chalicelib.domain.calendar.feed import (
    DEFAULT_FUTURE_DAYS,
    DEFAULT_PAST_DAYS,
    MAX_FUTURE_DAYS,
    MAX_PAST_DAYS,
)
from chalicelib.services.calendar.feeds import ReservationLinks, WindowDays
from chalicelib.services.calendar.group_feeds import GroupFeedView
from chalicelib.services.calendar.subscriptions import ResourceFeedView, Subscription


class FeedQuery(BaseModel):
    """The feed's window. Unknown parameters are ignored: calendar apps add their own."""

    model_config = ConfigDict(extra="ignore")

    past_days: int = Field(default=DEFAULT_PAST_DAYS, ge=0, le=MAX_PAST_DAYS)
    future_days: int = Field(default=DEFAULT_FUTURE_DAYS, ge=1, le=MAX_FUTURE_DAYS)

    def days(self) -> WindowDays:
        return WindowDays(self.past_days, self.future_days)


class ResourceFeedQuery(FeedQuery):
    token: str | None = Field(default=None, max_length=64, description="a tokenized feed's token")


class SubscriptionOut(BaseModel):
    url: str = Field(description="the feed URL to subscribe to (keep it secret)")
    webcal_url: str = Field(description="the same URL with webcal://, for one-click subscribe")

    @classmethod
    def from_domain(cls, value: Subscription) -> SubscriptionOut:
        return cls(url=value.url, webcal_url=value.webcal_url)


class CalendarLinksOut(BaseModel):
    reservation_id: str
    google: str = Field(description="opens Google Calendar with the event filled in")
    outlook: str = Field(description="opens Outlook.com with the event filled in")
    office365: str = Field(description="opens Outlook on Microsoft 365 with the event filled in")
    ics: str = Field(description="the event as an .ics file (needs the bearer token)")

    @classmethod
    def from_domain(cls, reservation_id: str, value: ReservationLinks) -> CalendarLinksOut:
        links = value.links
        return cls(
            reservation_id=reservation_id,
            google=links.google,
            outlook=links.outlook,
            office365=links.office365,
            ics=value.ics_url,
        )


class ResourceFeedIn(Strict):
    mode: Literal["public", "token", "off"] = Field(
        description="public: anyone may subscribe; token: only with the URL's token; off: none"
    )
    regenerate_token: bool = Field(default=False, description="a new token (mode token)")


class ResourceFeedOut(BaseModel):
    resource_id: str
    mode: str
    url: str | None
    webcal_url: str | None

    @classmethod
    def from_domain(cls, value: ResourceFeedView) -> ResourceFeedOut:
        return cls(
            resource_id=value.resource_id,
            mode=value.mode,
            url=value.url,
            webcal_url=value.webcal_url,
        )


class GroupFeedOut(BaseModel):
    """A location's (resource group's) feed setting and URL."""

    group_id: str
    mode: str
    url: str | None
    webcal_url: str | None

    @classmethod
    def from_domain(cls, value: GroupFeedView) -> GroupFeedOut:
        return cls(
            group_id=value.group_id, mode=value.mode, url=value.url, webcal_url=value.webcal_url
        )
