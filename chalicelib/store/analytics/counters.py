"""Analytics counter items: keys, the idempotent apply, reads, and the rebuild's writes.

Items (single table, docs/analytics.md "How the aggregates are kept"):

- `AN#M#<yyyy-mm>` / `<scope>`: per-day metrics `<metric>_<dd>` (scopes `ALL`, `R#<resource>`,
  `U#<user>`, `UR#<user>#<resource>`); one query per month reads every resource's row. The
  month's `ALL` row also carries `rev`, bumped by every event that touches the month (and
  re-stamped after a rebuild), so a reader can tell that nothing changed since it last read
  the month (services/analytics/totals_cache.py).
- `AN#H#<yyyy-mm>` / `<scope>`: booked minutes per UTC hour, `h_<dd>_<HH>`.
- `AN#REL#<resource>` / `<start>#<reservation>`: a window released by a no-show.
- `AN#EVT#<event id>` / `MARK`: "this event was counted"; put with `attribute_not_exists` in
  the SAME transaction as the counter updates, so a redelivered event changes nothing even
  when the first delivery crashed after committing (expires after MARKER_TTL).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.analytics.facts import (
    ALL,
    MONTHLY_KIND,
    Cell,
    Counters,
    Released,
    ReservationFacts,
)
from chalicelib.domain.timeutil import epoch_seconds, iso_z, parse_instant
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import table_name

COUNTER_TYPE = "analytics_counter"
RELEASED_TYPE = "analytics_released"
MARKER_TYPE = "analytics_marker"
MARKER_SK = "MARK"
MARKER_TTL = timedelta(days=14)
_BATCH_WRITE = 25
_MAX_PROJECTED = 300


def cell_pk(kind: str, month: str) -> str:
    return f"AN#{kind}#{month}"


def released_pk(resource_id: str) -> str:
    return f"AN#REL#{resource_id}"


def marker_pk(event_id: str) -> str:
    return f"AN#EVT#{event_id}"


REVISION = "rev"


def _revised(changes: Counters) -> Counters:
    """`changes` plus a `rev` bump on the `ALL` row of every month they touch (a move between
    resources may leave the ALL figures unchanged, so the figures cannot serve as a version)."""
    out = {cell: dict(attrs) for cell, attrs in changes.items()}
    for month in sorted({month for _, month, _ in changes}):
        row = out.setdefault((MONTHLY_KIND, month, ALL), {})
        row[REVISION] = row.get(REVISION, 0) + 1
    return out


def _update(table: str, cell: Cell, attrs: Mapping[str, int]) -> Item:
    kind, month, scope = cell
    names = {"#type": "type", "#scope": "scope", "#month": "month"}
    values: dict[str, Any] = {
        ":type": {"S": COUNTER_TYPE},
        ":scope": {"S": scope},
        ":month": {"S": month},
    }
    adds = []
    for i, (attr, amount) in enumerate(sorted(attrs.items())):
        names[f"#a{i}"] = attr
        values[f":a{i}"] = {"N": str(amount)}
        adds.append(f"#a{i} :a{i}")
    return {
        "Update": {
            "TableName": table,
            "Key": dynamo.key(cell_pk(kind, month), scope),
            "UpdateExpression": f"ADD {', '.join(adds)} SET #type = :type, #scope = :scope, "
            "#month = :month",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _marker(table: str, event_id: str, now: datetime) -> Item:
    return {
        "Put": {
            "TableName": table,
            "Item": {
                "PK": {"S": marker_pk(event_id)},
                "SK": {"S": MARKER_SK},
                "type": {"S": MARKER_TYPE},
                "expires_at": {"N": str(epoch_seconds(now + MARKER_TTL))},
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


Application = tuple[str, Counters, Released | None]


def _merged(group: Sequence[Application]) -> Counters:
    merged: Counters = {}
    for _, changes, _released in group:
        for cell, attrs in changes.items():
            into = merged.setdefault(cell, {})
            for attr, amount in attrs.items():
                into[attr] = into.get(attr, 0) + amount
    return _revised(merged)


def _group_items(table: str, group: Sequence[Application], now: datetime) -> list[Item]:
    items = [_marker(table, event_id, now) for event_id, _, _ in group]
    items.extend(_update(table, cell, attrs) for cell, attrs in sorted(_merged(group).items()))
    items.extend({"Put": {"TableName": table, "Item": _released_item(r)}} for _, _, r in group if r)
    return items


def _transaction_groups(applications: Sequence[Application]) -> list[list[Application]]:
    """Consecutive events whose markers, merged cells and released windows fit in one
    transaction (a released window's key is unique per reservation, so no item twice)."""
    groups: list[list[Application]] = []
    current: list[Application] = []
    for application in applications:
        trial = [*current, application]
        size = len(trial) + len(_merged(trial)) + sum(1 for _, _, r in trial if r)
        if current and size > dynamo.MAX_TRANSACTION_ITEMS:
            groups.append(current)
            trial = [application]
        current = trial
    if current:
        groups.append(current)
    return groups


def _released_item(window: Released) -> dict[str, Any]:
    return {
        "PK": {"S": released_pk(window.resource_id)},
        "SK": {"S": f"{iso_z(window.start)}#{window.reservation_id}"},
        "type": {"S": RELEASED_TYPE},
        "reservation_id": {"S": window.reservation_id},
        "resource_id": {"S": window.resource_id},
        "start_time": {"S": iso_z(window.start)},
        "end_time": {"S": iso_z(window.end)},
        "released_at": {"S": iso_z(window.released_at)},
    }


class CounterStore:
    """The one writer and reader of analytics items."""

    def apply(
        self,
        event_id: str,
        changes: Counters,
        released: Released | None,
        now: datetime,
    ) -> bool:
        """Apply `changes` once per `event_id`; False if the event was already counted."""
        table = table_name()
        items: list[Item] = [_marker(table, event_id, now)]
        revised = _revised(changes)
        items.extend(_update(table, cell, attrs) for cell, attrs in sorted(revised.items()))
        if released is not None:
            items.append({"Put": {"TableName": table, "Item": _released_item(released)}})
        try:
            dynamo.transact(items)
        except dynamo.TransactionCancelled as exc:
            if 0 in exc.failed_conditions():
                return False
            raise
        return True

    def apply_many(
        self, applications: Sequence[tuple[str, Counters, Released | None]], now: datetime
    ) -> int:
        """`apply` for many events in as few transactions as fit (issue 16: the bulk lane):
        each event's marker, their counters merged into one update per cell. If a marker
        exists (a redelivery), that transaction's events are applied one by one instead.
        Returns how many events were counted now."""
        counted = 0
        for group in _transaction_groups(applications):
            if len(group) > 1:
                try:
                    dynamo.transact(_group_items(table_name(), group, now))
                    counted += len(group)
                    continue
                except dynamo.TransactionCancelled:
                    pass
            counted += sum(self.apply(e, c, r, now) for e, c, r in group)
        return counted

    def released_around(
        self, resource_id: str, start: datetime, end: datetime, span: timedelta
    ) -> list[Released]:
        """Released windows of the resource that may overlap [start, end) (they start at
        most `span` before it: no reservation is longer)."""
        raw = dynamo.query(
            TableName=table_name(),
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": released_pk(resource_id)},
                ":lo": {"S": iso_z(start - span)},
                ":hi": {"S": iso_z(end)},
            },
            ConsistentRead=True,
        )
        windows = [_released_from(item) for item in raw]
        return [w for w in windows if w.end > start]

    # --- reads ------------------------------------------------------------------------------

    def cells(
        self, kind: str, months: Sequence[str], scope_prefix: str, attrs: Sequence[str]
    ) -> dict[tuple[str, str], dict[str, int]]:
        """(month, scope) -> the counters in `attrs` (all of them if none are named), for
        every scope starting with `scope_prefix`; a caller after one exact scope (`U#<id>`
        also prefixes `U#<id>2`) picks it out of the result."""
        found: dict[tuple[str, str], dict[str, int]] = {}
        projection: dict[str, Any] = {}
        if 0 < len(attrs) <= _MAX_PROJECTED:  # else read whole items (expressions are capped)
            names = {f"#p{i}": a for i, a in enumerate(attrs)}
            projection = {
                "ExpressionAttributeNames": {**names, "#sk": "SK"},
                "ProjectionExpression": ", ".join(["#sk", *names]),
            }
        for month in months:
            for item in dynamo.query(
                TableName=table_name(),
                KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
                ExpressionAttributeValues={
                    ":pk": {"S": cell_pk(kind, month)},
                    ":prefix": {"S": scope_prefix},
                },
                **projection,
            ):
                scope = str(item.pop("SK")["S"])
                found[(month, scope)] = {k: int(v["N"]) for k, v in item.items() if "N" in v}
        return found

    # --- the rebuild ------------------------------------------------------------------------

    def existing_keys(self, kinds: Iterable[str], months: Iterable[str]) -> set[tuple[str, str]]:
        keys: set[tuple[str, str]] = set()
        for kind in kinds:
            for month in months:
                for item in dynamo.query(
                    TableName=table_name(),
                    KeyConditionExpression="PK = :pk",
                    ExpressionAttributeValues={":pk": {"S": cell_pk(kind, month)}},
                    ProjectionExpression="PK, SK",
                ):
                    keys.add((str(item["PK"]["S"]), str(item["SK"]["S"])))
        return keys

    def replace_all(
        self, totals: Counters, released: Sequence[Released], stale: set[tuple[str, str]]
    ) -> int:
        """Overwrite every counter item with its rebuilt totals, delete the ones no longer
        backed by any reservation; returns how many items were written."""
        requests: list[dict[str, Any]] = []
        written: set[tuple[str, str]] = set()
        for (kind, month, scope), attrs in totals.items():
            pk = cell_pk(kind, month)
            written.add((pk, scope))
            item: dict[str, Any] = {
                "PK": {"S": pk},
                "SK": {"S": scope},
                "type": {"S": COUNTER_TYPE},
                "scope": {"S": scope},
                "month": {"S": month},
            }
            item.update({a: {"N": str(v)} for a, v in attrs.items() if v})
            requests.append({"PutRequest": {"Item": item}})
        for window in released:
            requests.append({"PutRequest": {"Item": _released_item(window)}})
        for pk, sk in sorted(stale - written):
            requests.append({"DeleteRequest": {"Key": dynamo.key(pk, sk)}})
        _batch_write(requests)
        # Last, once every row is written: a new `rev` on each month's ALL row, so a total
        # cached while the rebuild was half done is never taken for the rebuilt one.
        stamp = secrets.randbits(53)  # any new value will do; random, not the wall clock
        months = {month for _, month, _ in totals} | {
            pk.rsplit("#", 1)[1] for pk, _ in stale if pk.startswith(cell_pk(MONTHLY_KIND, ""))
        }
        for month in sorted(months):
            dynamo.client().update_item(
                TableName=table_name(),
                Key=dynamo.key(cell_pk(MONTHLY_KIND, month), ALL),
                UpdateExpression="SET #rev = :rev, #type = :type, #scope = :all, #month = :month",
                ExpressionAttributeNames={
                    "#rev": REVISION,
                    "#type": "type",
                    "#scope": "scope",
                    "#month": "month",
                },
                ExpressionAttributeValues={
                    ":rev": {"N": str(stamp)},
                    ":type": {"S": COUNTER_TYPE},
                    ":all": {"S": ALL},
                    ":month": {"S": month},
                },
            )
        return len(written)

    def revisions(self, months: Sequence[str]) -> dict[str, int]:
        """Each month's `rev` (0 for a month nobody touched yet): one BatchGetItem."""
        keys = [dynamo.key(cell_pk(MONTHLY_KIND, m), ALL) for m in months]
        found = dynamo.batch_get(table_name(), keys, consistent=False)
        out = {}
        for month in months:
            raw = found.get((cell_pk(MONTHLY_KIND, month), ALL)) or {}
            out[month] = int(raw.get(REVISION, {}).get("N", "0"))
        return out

    def reservations_in(self, month: str) -> Iterable[ReservationFacts]:
        """Every reservation starting in `month` (the GSI2 bucket), as facts."""
        for item in dynamo.query(
            TableName=table_name(),
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"RESV#{month}"}},
        ):
            image = {k: v.get("S", v.get("N")) for k, v in item.items()}
            if image.get("type") != "reservation":
                continue
            facts = ReservationFacts.from_image(image)
            if facts is not None:
                yield facts


def _released_from(item: Mapping[str, Any]) -> Released:
    return Released(
        reservation_id=str(item["reservation_id"]["S"]),
        resource_id=str(item["resource_id"]["S"]),
        start=parse_instant(str(item["start_time"]["S"])),
        end=parse_instant(str(item["end_time"]["S"])),
        released_at=parse_instant(str(item["released_at"]["S"])),
    )


def _batch_write(requests: list[dict[str, Any]]) -> None:
    table = table_name()
    for first in range(0, len(requests), _BATCH_WRITE):
        pending: dict[str, Any] = {table: requests[first : first + _BATCH_WRITE]}
        while pending:
            response = dynamo.client().batch_write_item(RequestItems=pending)
            pending = dict(response.get("UnprocessedItems") or {})
