"""Scheduled jobs: each idempotent and safe when two runs overlap (every change is a
conditional write), runnable on schedule or by an admin (`POST /admin/jobs/{name}/run`).

Jobs write as the system (audit channel `system`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain import acting
from chalicelib.domain.accounts.accounts import MAX_REMINDER_HOURS
from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN, Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.pipeline.notifications import Contact
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.domain.reservations import SYSTEM, InvalidTransition, Reservation, ReservationStatus
from chalicelib.domain.timeutil import parse_instant
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.pipeline.jobs import JobStore
from chalicelib.store.reservations.booking_tx import StaleItem
from chalicelib.store.reservations.listing import ListingFilter, ReservationListing
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.writer import BookingWriter
from chalicelib.topology import TOPOLOGY

FIRST_RUN_LOOKBACK = timedelta(days=400)
MAX_PAGES = 20
PAGE = 100


class Sweeper(Protocol):
    def sweep(self) -> int: ...


class Retention(Protocol):
    def apply_retention(self, *, limit: int = 5000) -> int: ...


class ConnectionPurger(Protocol):
    def purge_expired(self, now: datetime, *, limit: int = 200) -> int: ...


class Recoverer(Protocol):
    """services/reservations/recovery.py: rolls back series / bulk batches stuck in `creating`."""

    def recover(self, now: datetime | None = None) -> dict[str, int]: ...


class NoShows(Protocol):
    """services/reservations/no_shows.py: releases reservations whose check-in was missed."""

    def release_due(self, now: datetime) -> dict[str, int]: ...

    def settle(self, reservation: Reservation, resource: Resource, now: datetime) -> str: ...


class OfferExpiry(Protocol):
    """services/waitlist/offers.py: releases waitlist offers whose deadline passed."""

    def expire_offers(self, now: datetime) -> dict[str, int]: ...


class ApprovalJobRunner(Protocol):
    """services/reservations/approval_jobs.py."""

    def expire_stale(self, now: datetime) -> dict[str, int]: ...
    def remind(self, now: datetime) -> dict[str, int]: ...


class AnalyticsRebuild(Protocol):
    """services/analytics/recorder.py (issue 12)."""

    def rebuild(self) -> dict[str, int]: ...


class Contacts(Protocol):
    def contact(self, user_id: str) -> Contact | None: ...


@dataclass(frozen=True)
class JobRun:
    name: str
    started_at: datetime
    finished_at: datetime
    result: dict[str, int] = field(default_factory=dict)


@dataclass
class JobDeps:
    jobs: JobStore
    reservations: ReservationStore
    writer: BookingWriter
    listing: ReservationListing
    resources: ResourceStore
    contacts: Contacts
    connections: ConnectionPurger
    audit: Retention
    webhooks: Sweeper
    recovery: Recoverer
    no_shows: NoShows
    waitlist: OfferExpiry  # waitlist
    approvals: ApprovalJobRunner | None = None  # approvals (issue 10)
    analytics: AnalyticsRebuild | None = None  # analytics (issue 12)


def months_between(first: datetime, last: datetime) -> Iterator[date]:
    month = date(first.year, first.month, 1)
    while month <= date(last.year, last.month, 1):
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


class JobService:
    def __init__(self, deps: JobDeps, clock: Clock, wall_clock: Clock) -> None:
        self._d = deps
        self._clock = clock
        # Powertools stamps idempotency records' `expiration` with the system clock itself,
        # so only the same clock can tell which of them have expired.
        self._wall_clock = wall_clock
        self._jobs: dict[str, Callable[[datetime], dict[str, int]]] = {
            "expire-reservations": self.expire_reservations,
            "maintenance-auto-reset": self.reset_maintenance,
            "send-reminders": self.send_reminders,
            "webhook-retry-sweep": lambda now: {"enqueued": self._d.webhooks.sweep()},
            "purge-stale-records": self.purge_stale_records,
            "audit-retention": lambda now: {"deleted": self._d.audit.apply_retention()},
            "recover-stuck-batches": self._d.recovery.recover,
            "release-no-shows": self._d.no_shows.release_due,
            "expire-waitlist-offers": self._d.waitlist.expire_offers,  # waitlist
            # Approvals (issue 10).
            "expire-approvals": lambda now: self._approvals().expire_stale(now),
            "remind-approvers": lambda now: self._approvals().remind(now),
            # Analytics (issue 12).
            "rebuild-analytics": lambda now: self._analytics().rebuild(),
        }
        missing = {s.name for s in TOPOLOGY.schedules} ^ set(self._jobs)
        if missing:
            raise RuntimeError(f"jobs and schedules differ: {sorted(missing)}")

    def _approvals(self) -> ApprovalJobRunner:
        if self._d.approvals is None:
            raise RuntimeError("the approval jobs were not wired")
        return self._d.approvals

    def _analytics(self) -> AnalyticsRebuild:
        if self._d.analytics is None:
            raise RuntimeError("the analytics rebuild was not wired")
        return self._d.analytics

    def names(self) -> list[str]:
        return sorted(self._jobs)

    def run(self, name: str, principal: Principal | None = None) -> JobRun:
        if principal is not None:
            require_admin(principal)
        job = self._jobs.get(name)
        if job is None:
            raise NotFound(
                f"no job named {name!r}", code="job_not_found", details={"jobs": self.names()}
            )
        started = self._clock.now()
        context = replace(acting.SYSTEM_CONTEXT, correlation_id=f"job-{uuid.uuid4().hex}")
        with acting.acting_as(context):
            result = job(started)
        return JobRun(name, started, self._clock.now(), result)

    # --- the jobs -----------------------------------------------------------------------------

    def expire_reservations(self, now: datetime) -> dict[str, int]:
        """Reservations whose end has passed: checked in -> completed; active -> expired, or
        no-show where the resource requires check-in (conditional per item)."""
        mark = self._d.jobs.watermark("expire-reservations")
        since = parse_instant(mark) - MAX_RESERVATION_SPAN if mark else now - FIRST_RUN_LOOKBACK
        counts = {"expired": 0, "completed": 0, "no_show": 0, "skipped": 0}
        resources: dict[str, Resource | None] = {}
        complete = True
        for month in months_between(since, now):
            complete &= self._expire_month(month, now, counts, resources)
        if complete:
            self._d.jobs.advance("expire-reservations", now)
        return counts

    def _expire_month(
        self,
        month: date,
        now: datetime,
        counts: dict[str, int],
        resources: dict[str, Resource | None],
    ) -> bool:
        start_key: dict[str, Any] | None = None
        for _ in range(MAX_PAGES):
            page = self._d.listing.ending_before(month, now, limit=PAGE, start_key=start_key)
            for reservation in page.items:
                rid = reservation.resource_id
                if rid not in resources:
                    resources[rid] = self._d.resources.find(rid)
                counts[self._end(reservation, resources[rid], now)] += 1
            start_key = page.last_key
            if not start_key:
                return True
        return False  # more next run; the watermark stays put

    def _end(self, reservation: Reservation, resource: Resource | None, now: datetime) -> str:
        if (
            reservation.status == ReservationStatus.ACTIVE
            and resource
            and resource.check_in.required
        ):
            outcome = self._d.no_shows.settle(reservation, resource, now)
            return "no_show" if outcome == "released" else "skipped"
        if reservation.status == ReservationStatus.CHECKED_IN:
            change, outcome = reservation.complete(SYSTEM, now), "completed"
        else:
            change, outcome = reservation.expire(SYSTEM, now, "ended"), "expired"
        try:
            self._d.writer.apply(change)
        except (StaleItem, InvalidTransition):
            return "skipped"  # changed meanwhile (cancelled, or another run got there)
        return outcome

    def reset_maintenance(self, now: datetime) -> dict[str, int]:
        counts = {"reset": 0, "skipped": 0}
        for resource_id in self._d.jobs.maintenance_due(now):
            resource = self._d.resources.find(resource_id)
            reset_at = (
                resource.maintenance.auto_reset_at if resource and resource.maintenance else None
            )
            if resource is None or reset_at is None or reset_at > now:
                counts["skipped"] += 1
                continue
            try:
                self._d.resources.save(
                    resource, replace(resource, maintenance=None, updated_at=now)
                )
                counts["reset"] += 1
            except Conflict:
                counts["skipped"] += 1  # edited meanwhile; the next run looks again
        return counts

    def send_reminders(self, now: datetime) -> dict[str, int]:
        """One `reservation.reminder_due` per reservation, `reminder_hours` before it starts."""
        horizon = now + timedelta(hours=MAX_REMINDER_HOURS)
        spec = ListingFilter(
            start_from=now, until=horizon, statuses=frozenset({ReservationStatus.ACTIVE})
        )
        contacts: dict[str, Contact | None] = {}
        counts = {"emitted": 0, "already_sent": 0}
        for month in months_between(now, horizon):
            for reservation in self._upcoming(month, spec, now):
                if reservation.user_id not in contacts:
                    contacts[reservation.user_id] = self._d.contacts.contact(reservation.user_id)
                contact = contacts[reservation.user_id]
                hours = contact.reminder_hours if contact else 0
                if hours <= 0 or reservation.window.start - timedelta(hours=hours) > now:
                    continue
                sent = self._d.jobs.mark_reminder(reservation, hours)
                counts["emitted" if sent else "already_sent"] += 1
        return counts

    def _upcoming(self, month: date, spec: ListingFilter, now: datetime) -> Iterator[Reservation]:
        start_key: dict[str, Any] | None = None
        for _ in range(MAX_PAGES):
            page = self._d.listing.in_month(month, spec, limit=PAGE, start_key=start_key)
            yield from (r for r in page.items if r.window.start > now)
            start_key = page.last_key
            if not start_key:
                return

    def purge_stale_records(self, now: datetime) -> dict[str, int]:
        return {
            "idempotency_records": self._d.jobs.purge_idempotency(self._wall_clock.now()),
            "connections": self._d.connections.purge_expired(now),
        }
