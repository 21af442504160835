"""Resource catalogue use cases: create, read, edit, delete, list, maintenance, status.

Reservations are reached through two small ports implemented by the reservation store:
`FutureReservations` (delete guard and forced cancellation) and `CurrentOccupancy` (the
"in_use" status). Until they are wired, `NoReservations` answers "none".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.catalog.resources import Resource, ResourceStatus
from chalicelib.domain.catalog.rules import Occupant, ResourceDraft, ResourceQuery, StatusReport
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.store.catalog.lookups import CatalogCounts
from chalicelib.store.catalog.query import PageFilter
from chalicelib.store.catalog.repository import ResourceStore, not_found

DraftEdit = Callable[[ResourceDraft], ResourceDraft]
# The seam for the free-window search: given one page of candidates, keep those free.
AvailabilityFilter = PageFilter
# "In use now" of a page of resources, by resource id (CurrentOccupancy.current_reader).
CurrentReader = Callable[[Sequence[str]], Mapping[str, Occupant]]


class FutureReservations(Protocol):
    def count_future(self, resource_id: str, now: datetime) -> int:
        """Occupying reservations of the resource that end after `now`."""
        ...

    def cancel_all_future(
        self, resource_id: str, now: datetime, *, actor: Principal, reason: str
    ) -> int:
        """Cancel them (each with a history entry by `actor`); returns how many."""
        ...


class CurrentOccupancy(Protocol):
    def current(self, resource_id: str, now: datetime) -> Occupant | None: ...

    def current_many(self, resource_ids: Sequence[str], now: datetime) -> Mapping[str, Occupant]:
        """One batched read for a page of resources (never one query per resource)."""
        ...

    def current_reader(self, now: datetime, expected: int) -> CurrentReader:
        """`current_many` for the pages of one request, each of about `expected` resources
        (0: unknown). May start reading at once, before the pages are known, and serve every
        page from that one read."""
        ...

    def count_in_use(self, now: datetime) -> int:
        """How many resources have a reservation running at `now`."""
        ...


class GroupScope(Protocol):
    """Locations (catalog14): subtree filters and group-scoped administrators."""

    def resolve(self, query: ResourceQuery) -> ResourceQuery: ...
    def has_any_grant(self, actor: Principal) -> bool: ...
    def may_administer(self, actor: Principal, resource: Resource) -> bool: ...


class NoReservations:
    """Stand-in for both ports until the reservation store implements them."""

    def count_future(self, resource_id: str, now: datetime) -> int:
        return 0

    def cancel_all_future(
        self, resource_id: str, now: datetime, *, actor: Principal, reason: str
    ) -> int:
        return 0

    def current(self, resource_id: str, now: datetime) -> Occupant | None:
        return None

    def count_in_use(self, now: datetime) -> int:
        return 0

    def current_many(self, resource_ids: Sequence[str], now: datetime) -> Mapping[str, Occupant]:
        return {}

    def current_reader(self, now: datetime, expected: int) -> CurrentReader:
        return lambda resource_ids: {}


def _by_occupancy(status: ResourceStatus | None) -> bool:
    """Filtered by "in use now": every page's statuses are read to filter it."""
    return status in (ResourceStatus.IN_USE, ResourceStatus.AVAILABLE)


def _unfiltered(query: ResourceQuery) -> bool:
    """The whole catalogue in some order: its pages are full."""
    return query == ResourceQuery(sort=query.sort, descending=query.descending)


@dataclass(frozen=True)
class ResourceView:
    resource: Resource
    report: StatusReport


@dataclass(frozen=True)
class ViewPage:
    items: list[ResourceView]
    next_cursor: str | None


@dataclass(frozen=True)
class Summary:
    total: int
    enabled: int
    disabled: int
    maintenance: int
    in_use: int


def require_writer(actor: Principal) -> None:
    """Admins, or anyone granted resources:write: an OAuth client, or a user through a
    custom role (roles14)."""
    if actor.is_admin or actor.can("resources:write"):
        return
    raise Forbidden("this action is for administrators", code="admin_required")


class ResourceService:
    def __init__(  # noqa: PLR0917 (the groups port came later, catalog14)
        self,
        repository: ResourceStore,
        clock: Clock,
        ids: IdFactory,
        future: FutureReservations,
        occupancy: CurrentOccupancy,
        groups: GroupScope | None = None,
    ) -> None:
        self._groups = groups
        self._repo = repository
        self._clock = clock
        self._ids = ids
        self._future = future
        self._occupancy = occupancy

    # --- reads ------------------------------------------------------------------------------

    def get(self, actor: Principal, resource_id: str) -> ResourceView:
        resource = self._repo.get(resource_id)
        now = self._clock.now()
        return ResourceView(resource, self._report(resource, now))

    def list(
        self,
        actor: Principal,
        query: ResourceQuery,
        limit: int,
        cursor: str | None,
        *,
        availability: AvailabilityFilter | None = None,
    ) -> ViewPage:
        now = self._clock.now()
        query = catalog.clean_query(query)
        if query.group and self._groups is not None:
            query = self._groups.resolve(query)
        occupants: dict[str, Occupant] = {}
        # Where the page is likely full (or "in use now" filters every page), its status read
        # starts now, alongside the listing, and serves every page of the request.
        likely_full = availability is not None or _by_occupancy(query.status) or _unfiltered(query)
        current = self._occupancy.current_reader(now, limit if likely_full else 0)
        keep = self._page_filter(query.status, current, now, occupants, availability)
        page = self._repo.list_page(query, limit, cursor, now=now, keep=keep)
        missing = [r.resource_id for r in page.items if r.resource_id not in occupants]
        if missing:
            occupants.update(current(missing))
        views = [
            ResourceView(r, catalog.status_report(r, now, occupants.get(r.resource_id)))
            for r in page.items
        ]
        return ViewPage(views, page.next_cursor)

    @staticmethod
    def _page_filter(
        status: ResourceStatus | None,
        current: CurrentReader,
        now: datetime,
        occupants: dict[str, Occupant],
        availability: AvailabilityFilter | None,
    ) -> PageFilter | None:
        needs_occupancy = _by_occupancy(status)
        if not needs_occupancy and availability is None:
            return None

        def keep(resources: list[Resource]) -> list[Resource]:
            if needs_occupancy:
                ids = [r.resource_id for r in resources]
                occupants.update(current(ids))
                resources = [
                    r
                    for r in resources
                    if catalog.live_status(r, now, occupants.get(r.resource_id)) == status
                ]
            return availability(resources) if availability and resources else resources

        return keep

    def summary(self, actor: Principal) -> Summary:
        now = self._clock.now()
        counts: CatalogCounts = self._repo.counts(now)
        return Summary(
            total=counts.total,
            enabled=counts.enabled,
            disabled=counts.total - counts.enabled,
            maintenance=counts.maintenance,
            in_use=self._occupancy.count_in_use(now),
        )

    def status(self, actor: Principal, resource_id: str) -> ResourceView:
        return self.get(actor, resource_id)

    def _report(self, resource: Resource, now: datetime) -> StatusReport:
        occupant = None
        if resource.enabled and not resource.in_maintenance(now):
            occupant = self._occupancy.current(resource.resource_id, now)
        return catalog.status_report(resource, now, occupant)

    # --- writes -----------------------------------------------------------------------------

    def create(self, actor: Principal, draft: ResourceDraft) -> ResourceView:
        require_writer(actor)
        now = self._clock.now()
        resource = catalog.new_resource(draft, self._ids.new_id(), now)
        self._repo.create(resource)
        return ResourceView(resource, catalog.status_report(resource, now, None))

    def update(
        self, actor: Principal, resource_id: str, edit: DraftEdit, expected_version: int | None
    ) -> ResourceView:
        self._require_admin_of(actor, resource_id)
        return self._change(
            resource_id,
            expected_version,
            lambda r, now: catalog.revise(r, edit(catalog.draft_of(r)), now),
        )

    def set_enabled(self, actor: Principal, resource_id: str, enabled: bool) -> ResourceView:
        self._require_admin_of(actor, resource_id)
        return self._change(
            resource_id, None, lambda r, now: replace(r, enabled=enabled, updated_at=now)
        )

    def set_check_in(
        self, actor: Principal, resource_id: str, policy: CheckInPolicy
    ) -> ResourceView:
        require_writer(actor)
        return self._change(
            resource_id, None, lambda r, now: replace(r, check_in=policy, updated_at=now)
        )

    def set_labels(
        self, actor: Principal, resource_id: str, label_ids: tuple[str, ...]
    ) -> ResourceView:
        """Labels (catalog14): admins and the resource's group admins."""
        self._require_admin_of(actor, resource_id)
        return self._change(
            resource_id, None, lambda r, now: replace(r, labels=label_ids, updated_at=now)
        )

    def start_maintenance(
        self, actor: Principal, resource_id: str, reason: str, auto_reset_hours: int
    ) -> ResourceView:
        require_writer(actor)
        now = self._clock.now()
        maintenance = catalog.begin_maintenance(now, reason, auto_reset_hours)
        return self._change(
            resource_id, None, lambda r, at: replace(r, maintenance=maintenance, updated_at=at)
        )

    def end_maintenance(self, actor: Principal, resource_id: str) -> ResourceView:
        """Idempotent: ending when none is in force just clears any expired leftover."""
        require_writer(actor)
        return self._change(
            resource_id, None, lambda r, now: replace(r, maintenance=None, updated_at=now)
        )

    # Composite resources (issue 14): the parts service asks the same admin question.
    def require_admin_of(self, actor: Principal, resource_id: str) -> None:
        self._require_admin_of(actor, resource_id)

    def _require_admin_of(self, actor: Principal, resource_id: str) -> None:
        """Administrators and write clients; or a group admin of a group above the resource
        (catalog14). Someone holding no grant at all is refused before any read (403)."""
        if (
            actor.is_admin
            or actor.is_client
            or actor.is_read_only
            or actor.can("resources:write")  # a custom role (roles14)
            or self._groups is None
        ):
            require_writer(actor)
            return
        if not self._groups.has_any_grant(actor):
            require_writer(actor)
        if not self._groups.may_administer(actor, self._repo.get(resource_id)):
            raise Forbidden(
                "you administer resources only inside the groups granted to you",
                code="admin_required",
                details={"resource_id": resource_id},
            )

    def _change(
        self,
        resource_id: str,
        expected_version: int | None,
        change: Callable[[Resource, datetime], Resource],
    ) -> ResourceView:
        current = self._repo.get(resource_id)
        if expected_version is not None and expected_version != current.version:
            raise Conflict(
                f"the resource is at version {current.version}, not {expected_version}; "
                "reload it and retry",
                code="version_conflict",
                details={"resource_id": resource_id, "version": current.version},
            )
        now = self._clock.now()
        stored = self._repo.save(current, change(current, now))
        return ResourceView(stored, self._report(stored, now))

    def delete(self, actor: Principal, resource_id: str, *, force: bool) -> int:
        """Delete; refused while future reservations exist unless forced (they are cancelled).

        A forced delete first tombstones the resource (hidden, no new bookings), then cancels,
        then deletes: if it stops half-way, repeating the DELETE finishes the job.
        """
        require_writer(actor)
        resource = self._repo.find(resource_id, include_deleting=True)
        if resource is None:
            raise not_found(resource_id)
        now = self._clock.now()
        pending = self._future.count_future(resource_id, now)
        if pending and not force:
            raise Conflict(
                f"the resource has {pending} future reservation(s); "
                "pass force=true to cancel them and delete it",
                code="resource_has_future_reservations",
                details={"resource_id": resource_id, "future_reservations": pending},
            )
        cancelled = 0
        # Always tombstone first: the write is stamped with the actor, so the delete's stream
        # record (whose old image is this write) names who deleted it in the audit log.
        resource = self._repo.mark_deleting(resource)
        if pending:
            cancelled = self._future.cancel_all_future(
                resource_id, now, actor=actor, reason="resource deleted"
            )
        self._repo.delete(resource)
        return cancelled
