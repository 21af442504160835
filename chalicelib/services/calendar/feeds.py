"""Calendar feeds and exports: a user's reservations (by feed token or bearer), one
reservation's .ics and its "add to" links, and a resource's feed.

Visibility is the reservations API's: a reservation is visible whole to its owner and admins
and to nobody else (404, so ids cannot be probed). A resource feed shows everyone else's
bookings as busy blocks only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.calendar.feed import (
    FeedEntry,
    FeedEvent,
    FeedWindow,
    Place,
    RenderedFeed,
    busy_event,
    reservation_event,
    shown,
)
from chalicelib.domain.calendar.links import CalendarLinks, links_for
from chalicelib.domain.calendar.tokens import same_token, token_hash, well_formed
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.services.calendar.config import CalendarConfig
from chalicelib.services.calendar.ports import Catalog, FeedEntryReads, FeedTokenItems
from chalicelib.store.calendar.tokens import ResourceFeedSetting


@dataclass(frozen=True)
class WindowDays:
    past_days: int
    future_days: int


@dataclass(frozen=True)
class ReservationLinks:
    links: CalendarLinks
    ics_url: str


def _feed_not_found() -> NotFound:
    return NotFound("no such calendar feed", code="calendar_feed_not_found")


def may_read(setting: ResourceFeedSetting, token: str | None, viewer: Principal | None) -> bool:
    """A resource's or group's feed. Off: admins only. Public: anyone. Token: the URL's
    token, or any signed-in caller (who may read the schedules anyway)."""
    admin = viewer is not None and viewer.is_admin
    holds_token = (
        token is not None
        and setting.token is not None
        and well_formed(token)
        and same_token(token, setting.token.token_hash)
    )
    allowed = {"public": True, "token": holds_token or viewer is not None, "off": admin}
    return allowed.get(setting.mode, admin)


def _place(resource: Resource | None, resource_id: str) -> Place:
    if resource is None:
        return Place(resource_id, "UTC")
    where = resource.location
    location = ", ".join(part for part in (where.building, where.floor, where.room) if part)
    return Place(resource.name, resource.timezone, location)


class CalendarFeeds:
    def __init__(
        self,
        entries: FeedEntryReads,
        tokens: FeedTokenItems,
        catalog: Catalog,
        clock: Clock,
        config: CalendarConfig,
    ) -> None:
        self._entries = entries
        self._tokens = tokens
        self._catalog = catalog
        self._clock = clock
        self._config = config

    # --- a user's feed ----------------------------------------------------------------------

    def by_token(self, token: str, days: WindowDays) -> RenderedFeed:
        """The feed behind a subscription URL; 404 for any token that is not a live one."""
        owner = self._tokens.owner_of(token_hash(token)) if well_formed(token) else None
        stored = self._tokens.user_token(owner) if owner else None
        if owner is None or stored is None or not same_token(token, stored.token_hash):
            raise _feed_not_found()
        return self._user_feed(owner, days)

    def mine(self, principal: Principal, days: WindowDays) -> RenderedFeed:
        return self._user_feed(principal.subject_id, days)

    def _user_feed(self, user_id: str, days: WindowDays) -> RenderedFeed:
        window = self._window(days)
        entries = self._shown(self._entries.for_user(user_id, window))
        places = self._places(entries)
        events = [reservation_event(e, places[e.reservation.resource_id]) for e in entries]
        return self._render(events, "My reservations (Resource Reserver)")

    # --- one reservation --------------------------------------------------------------------

    def export(self, principal: Principal, reservation_id: str) -> RenderedFeed:
        event = self._event_of(principal, reservation_id)
        return self._render([event], event.summary)

    def links(self, principal: Principal, reservation_id: str) -> ReservationLinks:
        event = self._event_of(principal, reservation_id)
        return ReservationLinks(links_for(event), self._config.export_url(reservation_id))

    def _event_of(self, principal: Principal, reservation_id: str) -> FeedEvent:
        entry = self._entries.one(reservation_id)
        if entry is None or not visible_to(entry.reservation.user_id, principal):
            raise NotFound("no such reservation", code="reservation_not_found")
        resource_id = entry.reservation.resource_id
        place = _place(self._catalog.get_many([resource_id]).get(resource_id), resource_id)
        return reservation_event(entry, place)

    # --- a resource's feed ------------------------------------------------------------------

    def resource(
        self,
        resource_id: str,
        days: WindowDays,
        *,
        token: str | None,
        viewer: Principal | None,
    ) -> RenderedFeed:
        """Off: admins only. Public: anyone. Token: the resource's token, or any signed-in
        caller (who may read the resource's schedule anyway). Details for owners and admins."""
        if not may_read(self._tokens.resource_setting(resource_id), token, viewer):
            raise _feed_not_found()
        resource = self._catalog.get(resource_id)
        return self.of_resources([resource], days, viewer, f"{resource.name} (Resource Reserver)")

    def of_resources(
        self,
        resources: Sequence[Resource],
        days: WindowDays,
        viewer: Principal | None,
        name: str,
    ) -> RenderedFeed:
        """The feed of several resources (a resource's, a group's): everyone else's bookings
        as busy blocks, the viewer's own (or every one, for an admin) in full."""
        window = self._window(days)
        events: list[FeedEvent] = []
        for resource in resources:
            place = _place(resource, resource.resource_id)
            entries = self._shown(self._entries.for_resource(resource.resource_id, window))
            events += [
                reservation_event(e, place)
                if visible_to(e.reservation.user_id, viewer)
                else busy_event(e, place)
                for e in entries
            ]
        return self._render(events, name)

    # --- shared -----------------------------------------------------------------------------

    def _window(self, days: WindowDays) -> FeedWindow:
        return FeedWindow.around(self._clock.now(), days.past_days, days.future_days)

    def _shown(self, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        now = self._clock.now()
        return [e for e in entries if shown(e, now, self._config.retention)]

    def _places(self, entries: Sequence[FeedEntry]) -> dict[str, Place]:
        ids = {e.reservation.resource_id for e in entries}
        found = self._catalog.get_many(ids)
        return {rid: _place(found.get(rid), rid) for rid in ids}

    def _render(self, events: Sequence[FeedEvent], name: str) -> RenderedFeed:
        # icalendar costs ~50 ms of every function's cold start: loaded with the first feed.
        from chalicelib.integrations.ical_feed import render

        return render(events, name=name, refresh=self._config.refresh)
