"""The approval jobs (issue 10), run by schedule (topology `expire-approvals`,
`remind-approvers`) through services/pipeline/jobs.py.

- expiry: a request undecided for its resource's `expiry_hours`, or whose start has come,
  becomes `expired` (the reservation frees its slot; `approval.expired` tells the requester);
- reminders: approvers of a step waiting longer than `remind_after_hours` are reminded once
  per step (`approval.reminder_due`, emailed with one-click links).

Both are idempotent and safe when two runs overlap: every change is a conditional write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from chalicelib.domain.catalog.approval import DEFAULT_SETTINGS, ApprovalSettings
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.reservations import SYSTEM, Changed, InvalidTransition, Reservation
from chalicelib.domain.reservations import approvals as rules
from chalicelib.domain.reservations.approvals import ApprovalRequest
from chalicelib.store.reservations.booking_tx import StaleItem

MAX_PER_RESOURCE = 500


class OpenRequests(Protocol):
    def open_requests(
        self, resource_id: str, after: str | None = None
    ) -> Iterator[ApprovalRequest]: ...
    def mark_reminded(self, request: ApprovalRequest) -> bool: ...


class Reader(Protocol):
    def get(self, reservation_id: str) -> Reservation | None: ...


class Applier(Protocol):
    def apply(self, change: Changed) -> Reservation: ...


class ApprovalJobs:
    def __init__(
        self,
        requests: OpenRequests,
        reservations: Reader,
        writer: Applier,
        approval_resources: Callable[[], list[Resource]],
    ) -> None:
        self._requests = requests
        self._reservations = reservations
        self._writer = writer
        self._resources = approval_resources

    def expire_stale(self, now: datetime) -> dict[str, int]:
        counts = {"expired": 0, "skipped": 0}
        for request, settings in self._open(now):
            if not rules.expiry_due(request, settings, now):
                continue
            counts["expired" if self._expire(request, now) else "skipped"] += 1
        return counts

    def remind(self, now: datetime) -> dict[str, int]:
        counts = {"reminded": 0, "already_reminded": 0}
        for request, settings in self._open(now):
            if rules.reminder_due(request, settings, now):
                done = self._requests.mark_reminded(request)
                counts["reminded" if done else "already_reminded"] += 1
        return counts

    def _open(self, now: datetime) -> Iterator[tuple[ApprovalRequest, ApprovalSettings]]:
        for resource in self._resources():
            settings = resource.approval or DEFAULT_SETTINGS
            for index, request in enumerate(self._requests.open_requests(resource.resource_id)):
                if index >= MAX_PER_RESOURCE:
                    break  # the rest next run
                yield request, settings

    def _expire(self, request: ApprovalRequest, now: datetime) -> bool:
        reservation = self._reservations.get(request.reservation_id)
        if reservation is None:
            return False
        reason = "the approval request expired undecided"
        try:
            self._writer.apply(reservation.expire(SYSTEM, now, reason))
        except (StaleItem, InvalidTransition):
            return False  # decided or withdrawn meanwhile, or another run expired it
        return True
