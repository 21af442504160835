"""Business hours and blackout dates of resources (and their global defaults)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from chalicelib.domain.catalog.hours import date_window, local_today, new_blackout
from chalicelib.domain.catalog.resources import Blackout, BusinessHours
from chalicelib.domain.clock import Clock
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.services.catalog.resources import require_writer
from chalicelib.store.catalog import blackouts, settings_items
from chalicelib.store.catalog.repository import ResourceStore

DEFAULT_WINDOW_DAYS = 366


@dataclass(frozen=True)
class HoursView:
    own: BusinessHours | None  # the resource's own week (None: it follows the default)
    default: BusinessHours | None  # the global default (None: always open)
    version: int

    @property
    def effective(self) -> BusinessHours | None:
        return self.own if self.own is not None else self.default

    @property
    def source(self) -> Literal["resource", "default", "always_open"]:
        if self.own is not None:
            return "resource"
        return "default" if self.default is not None else "always_open"


class ResourceRulesService:
    def __init__(self, repository: ResourceStore, clock: Clock, ids: IdFactory) -> None:
        self._repo = repository
        self._clock = clock
        self._ids = ids

    # --- business hours ---------------------------------------------------------------------

    def hours(self, actor: Principal, resource_id: str) -> HoursView:
        resource = self._repo.get(resource_id)
        default = settings_items.default_hours()
        return HoursView(resource.business_hours, default, resource.version)

    def set_hours(
        self, actor: Principal, resource_id: str, hours: BusinessHours | None
    ) -> HoursView:
        """Replace the resource's week; None makes it follow the global default again."""
        require_writer(actor)
        current = self._repo.get(resource_id)
        now = self._clock.now()
        stored = self._repo.save(current, replace(current, business_hours=hours, updated_at=now))
        return HoursView(stored.business_hours, settings_items.default_hours(), stored.version)

    def default_hours(self, actor: Principal) -> BusinessHours | None:
        return settings_items.default_hours()

    def set_default_hours(self, actor: Principal, hours: BusinessHours | None) -> None:
        require_writer(actor)
        settings_items.set_default_hours(hours, actor_id=actor.subject_id, now=self._clock.now())

    # --- blackouts --------------------------------------------------------------------------

    def blackouts(
        self, actor: Principal, resource_id: str | None, start: date | None, end: date | None
    ) -> list[Blackout]:
        """Blackouts touching [start, end]; for a resource, its own and the global ones.

        Dates are local to the resource's zone (UTC for global ones); `start` defaults to
        today there and `end` to a year later.
        """
        zone = self._repo.get(resource_id).timezone if resource_id else "UTC"
        first = start or local_today(self._clock.now(), zone)
        last = end or first + timedelta(days=DEFAULT_WINDOW_DAYS)
        first, last = date_window(first, last)
        return blackouts.between(resource_id, first, last, include_global=True)

    def add_blackout(
        self, actor: Principal, resource_id: str | None, start: date, end: date, reason: str
    ) -> Blackout:
        require_writer(actor)
        if resource_id is not None:
            self._repo.get(resource_id)  # a clear 404; the write re-checks it atomically
        blackout = new_blackout(self._ids.new_id(), start, end, reason, resource_id)
        return blackouts.add(blackout, actor_id=actor.subject_id, now=self._clock.now())

    def remove_blackout(self, actor: Principal, resource_id: str | None, blackout_id: str) -> None:
        require_writer(actor)
        if resource_id is not None:
            self._repo.get(resource_id)
        blackouts.remove(blackout_id, resource_id=resource_id)
