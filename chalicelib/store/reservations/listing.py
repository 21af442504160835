"""Paged reservation listings: a user's (GSI1), everyone's by start month (GSI2), and a
resource's schedule (its occupancy items on the base table).

Pages never load everything: each DynamoDB query asks for at most the items still missing
(`Limit = remaining`), so when a filter is involved the returned LastEvaluatedKey is always
the last item handed out and no item is skipped between pages. A request reads at most
MAX_QUERIES pages and may return a short page with a cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.reservations import Reservation, ReservationStatus
from chalicelib.domain.reservations.conflicts import Occupant
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.reservations.booking_tx import occupant_from_raw
from chalicelib.store.reservations.items import (
    USER_RESV_PREFIX,
    month_pk,
    reservation_from_raw,
    resource_pk,
    slot_bound,
    table_name,
    user_bound,
    user_pk,
)
from chalicelib.store.reservations.occupied_by import expand_ids
from chalicelib.store.table import raw_client

MAX_QUERIES = 10
_AFTER_ALL = "~"  # sorts after every ISO 8601 digit, so it closes an open-ended range
T = TypeVar("T")


@dataclass(frozen=True)
class ListingFilter:
    """Reservations overlapping [start_from, until) with the given statuses / resource."""

    start_from: datetime | None = None
    until: datetime | None = None
    statuses: frozenset[ReservationStatus] = field(default_factory=frozenset)
    resource_id: str | None = None
    user_id: str | None = None
    # Reservation search by group subtree (audit14): any of these resources (<= 100, the
    # most a DynamoDB IN takes).
    resource_ids: frozenset[str] | None = None


@dataclass
class Page(Generic[T]):
    items: list[T]
    last_key: dict[str, Any] | None


def _filters(spec: ListingFilter, *, with_resource: bool, with_user: bool) -> dict[str, Any]:
    """FilterExpression parts for one query; empty dict when there is nothing to filter."""
    clauses: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if spec.start_from is not None:
        clauses.append("#end > :from")
        names["#end"] = "end_time"
        values[":from"] = {"S": iso_z(spec.start_from)}
    if spec.statuses:
        placeholders = []
        for i, status in enumerate(sorted(spec.statuses)):
            values[f":st{i}"] = {"S": status.value}
            placeholders.append(f":st{i}")
        clauses.append(f"#st IN ({', '.join(placeholders)})")
        names["#st"] = "status"
    if with_resource and spec.resource_id:
        clauses.append("#rid = :rid")
        names["#rid"] = "resource_id"
        values[":rid"] = {"S": spec.resource_id}
    if with_resource and spec.resource_ids:
        placeholders = []
        for i, rid in enumerate(sorted(spec.resource_ids)):
            values[f":rids{i}"] = {"S": rid}
            placeholders.append(f":rids{i}")
        clauses.append(f"#rid IN ({', '.join(placeholders)})")
        names["#rid"] = "resource_id"
    if with_user and spec.user_id:
        clauses.append("#uid = :uid")
        names["#uid"] = "user_id"
        values[":uid"] = {"S": spec.user_id}
    if not clauses:
        return {}
    return {
        "FilterExpression": " AND ".join(clauses),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    merged.setdefault("ExpressionAttributeValues", {})
    merged["ExpressionAttributeValues"] = {
        **merged["ExpressionAttributeValues"],
        **extra.get("ExpressionAttributeValues", {}),
    }
    if "ExpressionAttributeNames" in extra:
        merged["ExpressionAttributeNames"] = extra["ExpressionAttributeNames"]
    if "FilterExpression" in extra:
        merged["FilterExpression"] = extra["FilterExpression"]
    return merged


def _collect(
    kwargs: dict[str, Any],
    limit: int,
    start_key: dict[str, Any] | None,
    decode: Callable[[dict[str, Any]], T | None],
) -> Page[T]:
    client = raw_client()
    items: list[T] = []
    last = start_key
    for _ in range(MAX_QUERIES):
        request = dict(kwargs, Limit=limit - len(items))
        if last:
            request["ExclusiveStartKey"] = last
        response = client.query(**request)
        for raw in response.get("Items", []):
            decoded = decode(raw)
            if decoded is not None:
                items.append(decoded)
        last = response.get("LastEvaluatedKey")
        if not last or len(items) >= limit:
            break
    return Page(items, last)


class ReservationListing:
    # Composite resources (issue 14): the calendar shows a part busy while its composite is
    # booked, and vice versa (store/reservations/occupied_by.py).
    def related(self, resource_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        return expand_ids(resource_ids)

    def for_user(
        self,
        user_id: str,
        spec: ListingFilter,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
        descending: bool = False,
    ) -> Page[Reservation]:
        low = (
            user_bound(spec.start_from - MAX_RESERVATION_SPAN)
            if spec.start_from
            else USER_RESV_PREFIX
        )
        high = user_bound(spec.until) if spec.until else USER_RESV_PREFIX + _AFTER_ALL
        kwargs = _merge(
            {
                "TableName": table_name(),
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {
                    ":pk": {"S": user_pk(user_id)},
                    ":lo": {"S": low},
                    ":hi": {"S": high},
                },
                "ScanIndexForward": not descending,
            },
            _filters(spec, with_resource=True, with_user=False),
        )
        return _collect(kwargs, limit, start_key, reservation_from_raw)

    def in_month(
        self,
        month: date,
        spec: ListingFilter,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Reservation]:
        """Everyone's reservations starting in `month` (GSI2 bucket), filtered by `spec`."""
        low = iso_z(spec.start_from - MAX_RESERVATION_SPAN) if spec.start_from else "0"
        high = iso_z(spec.until) if spec.until else _AFTER_ALL
        kwargs = _merge(
            {
                "TableName": table_name(),
                "IndexName": "GSI2",
                "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {
                    ":pk": {"S": month_pk(month)},
                    ":lo": {"S": low},
                    ":hi": {"S": high},
                },
            },
            _filters(spec, with_resource=True, with_user=True),
        )
        return _collect(kwargs, limit, start_key, reservation_from_raw)

    def ending_before(
        self,
        month: date,
        now: datetime,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Reservation]:
        """Active or checked-in reservations starting in `month` (GSI2 bucket) whose end is not
        after `now`.

        For the expiry job: every reservation ending before `now` started at most
        MAX_RESERVATION_SPAN earlier, so the job walks only the buckets of that window.
        """
        kwargs = {
            "TableName": table_name(),
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK < :hi",
            "FilterExpression": "#end <= :now AND #st IN (:active, :checked_in)",
            "ExpressionAttributeNames": {"#end": "end_time", "#st": "status"},
            "ExpressionAttributeValues": {
                ":pk": {"S": month_pk(month)},
                ":hi": {"S": iso_z(now)},
                ":now": {"S": iso_z(now)},
                ":active": {"S": ReservationStatus.ACTIVE.value},
                ":checked_in": {"S": ReservationStatus.CHECKED_IN.value},
            },
        }
        return _collect(kwargs, limit, start_key, reservation_from_raw)

    def started_between(
        self,
        month: date,
        low: datetime,
        high: datetime,
        status: ReservationStatus,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Reservation]:
        """Reservations in `status` starting in [low, high] and in `month` (GSI2 bucket): the
        no-show job's candidates, a few hours of starts however large the history."""
        kwargs = {
            "TableName": table_name(),
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
            "FilterExpression": "#st = :status",
            "ExpressionAttributeNames": {"#st": "status"},
            "ExpressionAttributeValues": {
                ":pk": {"S": month_pk(month)},
                ":lo": {"S": iso_z(low)},
                ":hi": {"S": iso_z(high) + _AFTER_ALL},
                ":status": {"S": status.value},
            },
        }
        return _collect(kwargs, limit, start_key, reservation_from_raw)

    def running_at(
        self,
        month: date,
        now: datetime,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Reservation]:
        """Occupying reservations starting in `month` (GSI2 bucket) that are running at `now`.

        A running reservation started at most MAX_RESERVATION_SPAN ago, so the read covers only
        the reservations started in that span: its cost follows recent bookings, not the
        catalogue (GSI: eventually consistent, which suits a dashboard count).
        """
        occupying = [
            s.value
            for s in (
                ReservationStatus.ACTIVE,
                ReservationStatus.PENDING_APPROVAL,
                ReservationStatus.HELD,
                ReservationStatus.CHECKED_IN,
            )
        ]
        kwargs = {
            "TableName": table_name(),
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
            "FilterExpression": "#end > :now AND #st IN (:s0, :s1, :s2, :s3)",
            "ExpressionAttributeNames": {"#end": "end_time", "#st": "status"},
            "ExpressionAttributeValues": {
                ":pk": {"S": month_pk(month)},
                ":lo": {"S": iso_z(now - MAX_RESERVATION_SPAN)},
                ":hi": {"S": iso_z(now) + _AFTER_ALL},
                ":now": {"S": iso_z(now)},
                **{f":s{i}": {"S": s} for i, s in enumerate(occupying)},
            },
        }
        return _collect(kwargs, limit, start_key, reservation_from_raw)

    def schedule(
        self,
        resource_id: str,
        start_from: datetime,
        until: datetime,
        now: datetime,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Occupant]:
        """Occupying reservations of a resource overlapping [start_from, until), by start."""
        kwargs = {
            "TableName": table_name(),
            "ConsistentRead": True,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "FilterExpression": "#end > :from",
            "ExpressionAttributeNames": {"#end": "end_time"},
            "ExpressionAttributeValues": {
                ":pk": {"S": resource_pk(resource_id)},
                ":lo": {"S": slot_bound(start_from - MAX_RESERVATION_SPAN)},
                ":hi": {"S": slot_bound(until)},
                ":from": {"S": iso_z(start_from)},
            },
        }
        now_epoch = epoch_seconds(now)
        return _collect(kwargs, limit, start_key, lambda raw: occupant_from_raw(raw, now_epoch))
