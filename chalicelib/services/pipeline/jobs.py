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
from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
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


class ApprovalJobRunner(Protocol):
    """services/reservations/approval_jobs.py."""

    def expire_stale(self, now: datetime) -> dict[str, int]: ...
    def remind(self, now: datetime) -> dict[str, int]: ...


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
    approvals: ApprovalJobRunner | None = None  # approvals (issue 10)


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
            # Approvals (issue 10).
            "expire-approvals": lambda now: self._approvals().expire_stale(now),
            "remind-approvers": lambda now: self._approvals().remind(now),
        }
        missing = {s.name for s in TOPOLOGY.schedules} ^ set(self._jobs)
        if missing:
            raise RuntimeError(f"jobs and schedules differ: {sorted(missing)}")

    def _approvals(self) -> ApprovalJobRunner:
        if self._d.approvals is None:
            raise RuntimeError("the approval jobs were not wired")
        return self._d.approvals

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
        """active -> expired for reservations whose end has passed (conditional per item)."""
        mark = self._d.jobs.watermark("expire-reservations")
        since = parse_instant(mark) - MAX_RESERVATION_SPAN if mark else now - FIRST_RUN_LOOKBACK
        counts = {"expired": 0, "skipped": 0}
        complete = True
        for month in months_between(since, now):
            complete &= self._expire_month(month, now, counts)
        if complete:
            self._d.jobs.advance("expire-reservations", now)
        return counts

    def _expire_month(self, month: date, now: datetime, counts: dict[str, int]) -> bool:
        start_key: dict[str, Any] | None = None
        for _ in range(MAX_PAGES):
            page = self._d.listing.ending_before(month, now, limit=PAGE, start_key=start_key)
            for reservation in page.items:
                counts["expired" if self._expire(reservation, now) else "skipped"] += 1
            start_key = page.last_key
            if not start_key:
                return True
        return False  # more next run; the watermark stays put

    def _expire(self, reservation: Reservation, now: datetime) -> bool:
        try:
            self._d.writer.apply(reservation.expire(SYSTEM, now, "ended"))
        except (StaleItem, InvalidTransition):
            return False  # changed meanwhile (cancelled, or another run expired it)
        return True

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
