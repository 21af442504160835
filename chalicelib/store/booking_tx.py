"""The booking invariant, enforced inside DynamoDB (DESIGN.md section 2).

To occupy [s, e) on a resource (widened by its buffers to the *blocked* range):
1. read, consistently, the version item of every UTC day the blocked range touches;
2. query, strongly consistently on the base table, the occupancy items that could overlap;
3. check overlap in pure code (`find_conflicts`);
4. TransactWriteItems: each day `ver = seen + 1 IF ver = seen (or absent)` + the new items,
   all conditional.
Two overlapping bookings share at least one day, so at most one of two racing transactions
commits; the loser re-reads and books or reports the conflict. The order of 1 and 2 matters:
a booking that committed before our version read is visible to our query; one that commits
after it changes a version we condition on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain import conflicts
from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.domain.reservations import OCCUPYING, ReservationStatus, TimeRange
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store.reservations import (
    day_sk,
    key,
    parse_instant,
    resource_pk,
    slot_bound,
    table_name,
)
from chalicelib.store.table import raw_client

MAX_ATTEMPTS = 6
MAX_MERGED_RANGE = timedelta(days=31)
_ONE_MS = timedelta(milliseconds=1)
_RETRYABLE_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
_RETRYABLE_ERRORS = frozenset({"TransactionConflictException", "TransactionInProgressException"})


@dataclass(frozen=True)
class Buffers:
    """Set-up time before and clean-up time after each reservation of a resource."""

    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)

    def widen(self, window: TimeRange) -> TimeRange:
        return conflicts.occupied(window, buffer_before=self.before, buffer_after=self.after)


@dataclass(frozen=True)
class Occupant:
    """An occupying reservation as seen from its resource's occupancy item."""

    reservation_id: str
    user_id: str
    window: TimeRange
    status: ReservationStatus


def find_conflicts(
    window: TimeRange,
    occupants: Iterable[Occupant],
    buffers: Buffers,
    *,
    ignore_id: str | None = None,
) -> list[Occupant]:
    """Occupants in conflict with the candidate, by the domain's one definition of overlap."""
    found = [
        o
        for o in occupants
        if o.reservation_id != ignore_id
        and conflicts.in_conflict(
            window, o.window, buffer_before=buffers.before, buffer_after=buffers.after
        )
    ]
    return sorted(found, key=lambda o: (o.window.start, o.window.end, o.reservation_id))


class SlotTaken(Conflict):
    """A genuine overlap: the service turns the occupants into a caller-safe 409.

    `by_window` maps the index of each claimed window (0 for a single booking) to the
    occupants it collides with; `occupants` is all of them, each once.
    """

    def __init__(
        self, occupants: list[Occupant], by_window: dict[int, list[Occupant]] | None = None
    ) -> None:
        super().__init__(
            "the resource is already booked for (part of) this time",
            code="reservation_conflict",
        )
        self.occupants = occupants
        self.by_window = by_window if by_window is not None else {0: occupants}


class DuplicateRequest(Exception):
    """The Idempotency-Key record appeared while we were booking: replay the first outcome."""


class StaleItem(Exception):
    """A non-version condition failed (an item we conditioned on changed); index given."""

    def __init__(self, index: int) -> None:
        super().__init__(f"transaction item {index} failed its condition")
        self.index = index


@dataclass
class Snapshot:
    versions: dict[date, int | None]
    occupants: list[Occupant] = field(default_factory=list)


@dataclass(frozen=True)
class Claim:
    """Occupy `window` (and `more_windows`, e.g. a chunk of a series) on `resource_id` by
    committing `items` together with the day versions.

    A failed condition on a day version is retried here; on any other item it is the caller's
    to decide (`StaleItem` with the index within `items`), except the Idempotency-Key record at
    `idempotency_index`, which raises `DuplicateRequest`.
    """

    resource_id: str
    window: TimeRange
    buffers: Buffers
    now: datetime
    items: list[dict[str, Any]]
    ignore_id: str | None = None
    idempotency_index: int | None = None
    more_windows: tuple[TimeRange, ...] = ()
    # Day versions already read (with the resource, before the rule checks): used by the first
    # attempt if they cover its days. Read before the slot query, so the invariant holds.
    versions: Mapping[date, int | None] | None = None

    @property
    def windows(self) -> tuple[TimeRange, ...]:
        return (self.window, *self.more_windows)


class BookingTransactions:
    """Runs claims with bounded, jittered retries; never sleeps on a genuine conflict."""

    def __init__(
        self,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._sleep = sleep
        self._jitter = jitter

    def occupy(self, claim: Claim) -> None:
        for attempt in range(MAX_ATTEMPTS):
            snapshot = self._snapshot(claim, claim.versions if attempt == 0 else None)
            _refuse_overlaps(claim, snapshot.occupants)
            bumps = day_bumps(claim.resource_id, snapshot.versions)
            try:
                transact([*bumps, *claim.items])
                return
            except TransactionCancelled as exc:
                self._classify(exc, len(bumps), claim.idempotency_index)
            self._backoff(attempt)
        raise TooManyRequests(
            "the resource is very busy right now; please retry",
            retry_after=1,
            code="booking_contention",
        )

    @staticmethod
    def _classify(exc: TransactionCancelled, n_bumps: int, idem: int | None) -> None:
        """Return if the transaction should simply be re-run; raise otherwise."""
        for index, code in enumerate(exc.reasons):
            if code in (None, "None", "TransactionConflict"):
                continue
            if index < n_bumps and code == "ConditionalCheckFailed":
                continue  # a day version moved: someone else booked that day; re-read
            if idem is not None and index - n_bumps == idem:
                raise DuplicateRequest() from exc
            if code == "ConditionalCheckFailed":
                raise StaleItem(index - n_bumps) from exc
            raise exc.error from exc

    def _backoff(self, attempt: int) -> None:
        # A few ms only: losers of a version race usually just need a fresh read.
        self._sleep((0.002 + 0.004 * self._jitter()) * (attempt + 1))

    @staticmethod
    def snapshot(
        resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> Snapshot:
        """Versions FIRST, then neighbours (see the module docstring for why)."""
        versions = read_versions(resource_id, _days(windows, buffers))
        occupants = occupants_around(resource_id, windows, buffers, now)
        return Snapshot(versions, occupants)

    def _snapshot(self, claim: Claim, known: Mapping[date, int | None] | None) -> Snapshot:
        """`snapshot`, except that versions the caller read already (before this call, so
        still before the neighbour query) are not read again."""
        days = _days(claim.windows, claim.buffers)
        if known is None or not all(day in known for day in days):
            return self.snapshot(claim.resource_id, claim.windows, claim.buffers, claim.now)
        occupants = occupants_around(claim.resource_id, claim.windows, claim.buffers, claim.now)
        return Snapshot({day: known[day] for day in days}, occupants)


def _days(windows: Sequence[TimeRange], buffers: Buffers) -> list[date]:
    widen = {"buffer_before": buffers.before, "buffer_after": buffers.after}
    return sorted({day for w in windows for day in conflicts.utc_days(w, **widen)})


def _refuse_overlaps(claim: Claim, occupants: list[Occupant]) -> None:
    by_window: dict[int, list[Occupant]] = {}
    for index, window in enumerate(claim.windows):
        clashes = find_conflicts(window, occupants, claim.buffers, ignore_id=claim.ignore_id)
        if clashes:
            by_window[index] = clashes
    if by_window:
        unique = {o.reservation_id: o for found in by_window.values() for o in found}
        ordered = sorted(unique.values(), key=lambda o: (o.window.start, o.reservation_id))
        raise SlotTaken(ordered, by_window)


class TransactionCancelled(Exception):
    def __init__(self, error: ClientError, reasons: list[str | None]) -> None:
        super().__init__(str(error))
        self.error = error
        self.reasons = reasons


def transact(items: list[dict[str, Any]]) -> None:
    client = raw_client()
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code")
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            raise TransactionCancelled(exc, reasons or _reasons_from_message(error)) from exc
        if code in _RETRYABLE_ERRORS:
            raise TransactionCancelled(exc, ["TransactionConflict"]) from exc
        raise


def _reasons_from_message(error: dict[str, Any]) -> list[str | None]:
    """Some emulators only list the reasons in the message: '... [None, ConditionalCheckFailed]'."""
    message = str(error.get("Message", ""))
    start, end = message.rfind("["), message.rfind("]")
    if start < 0 or end < start:
        return ["TransactionConflict"]
    return [part.strip() or None for part in message[start + 1 : end].split(",")]


def read_versions(resource_id: str, days: list[date]) -> dict[date, int | None]:
    return read_with_versions(resource_id, days)[1]


def read_with_versions(
    resource_id: str, days: Sequence[date], extra_key: dict[str, Any] | None = None
) -> tuple[dict[str, Any] | None, dict[date, int | None]]:
    """The day versions of `days` and, with `extra_key`, one more item (the resource, read in
    the same call by the booking path): consistent reads, BatchGetItem for more than one key."""
    client = raw_client()
    table = table_name()
    pk = resource_pk(resource_id)
    if extra_key is None and len(days) == 1:
        got = client.get_item(
            TableName=table, Key=key(pk, day_sk(days[0])), ConsistentRead=True
        ).get("Item")
        return None, {days[0]: _version(got)}
    keys = [key(pk, day_sk(d)) for d in days] + ([extra_key] if extra_key else [])
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for first in range(0, len(keys), 100):  # BatchGetItem takes at most 100 keys
        request: dict[str, Any] = {
            table: {"Keys": keys[first : first + 100], "ConsistentRead": True}
        }
        while request:
            response = client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table, []):
                found[(raw["PK"]["S"], raw["SK"]["S"])] = raw
            request = response.get("UnprocessedKeys") or {}
    extra = found.get((extra_key["PK"]["S"], extra_key["SK"]["S"])) if extra_key else None
    return extra, {d: _version(found.get((pk, day_sk(d)))) for d in days}


def _version(raw: dict[str, Any] | None) -> int | None:
    if not raw or "ver" not in raw:
        return None
    return int(raw["ver"]["N"])


def query_occupants(
    resource_id: str, window: TimeRange, buffers: Buffers, now: datetime
) -> list[Occupant]:
    """Every occupying reservation that could conflict with `window` (see query_window)."""
    starts = conflicts.query_window(
        window, buffer_before=buffers.before, buffer_after=buffers.after
    )
    # One ms each side absorbs the millisecond rounding of instants in sort keys.
    low, high = slot_bound(starts.start - _ONE_MS), slot_bound(starts.end + _ONE_MS)
    return list(scan_slots(resource_id, low, high, now))


def occupants_around(
    resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
) -> list[Occupant]:
    """query_occupants for several windows: overlapping query ranges are read once (merged
    up to MAX_MERGED_RANGE, so a long series does not read its whole span in one go)."""
    if len(windows) == 1:
        return query_occupants(resource_id, windows[0], buffers, now)
    widen = {"buffer_before": buffers.before, "buffer_after": buffers.after}
    ranges = sorted(conflicts.query_window(w, **widen) for w in windows)
    merged: list[list[datetime]] = []
    for r in ranges:
        last = merged[-1] if merged else None
        if last and r.start <= last[1] and r.end - last[0] <= MAX_MERGED_RANGE:
            last[1] = max(last[1], r.end)
        else:
            merged.append([r.start, r.end])
    seen: dict[str, Occupant] = {}
    for low, high in merged:
        bounds = slot_bound(low - _ONE_MS), slot_bound(high + _ONE_MS)
        for occupant in scan_slots(resource_id, *bounds, now):
            seen[occupant.reservation_id] = occupant
    return list(seen.values())


def scan_slots(resource_id: str, low: str, high: str, now: datetime) -> Iterable[Occupant]:
    client = raw_client()
    kwargs: dict[str, Any] = {
        "TableName": table_name(),
        "ConsistentRead": True,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": {"S": resource_pk(resource_id)},
            ":lo": {"S": low},
            ":hi": {"S": high},
        },
    }
    now_epoch = epoch_seconds(now)
    while True:
        response = client.query(**kwargs)
        for raw in response.get("Items", []):
            occupant = occupant_from_raw(raw, now_epoch)
            if occupant is not None:
                yield occupant
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def occupant_from_raw(raw: dict[str, Any], now_epoch: int) -> Occupant | None:
    expires = raw.get("expires_at")
    if expires is not None and int(float(expires["N"])) <= now_epoch:
        return None  # a lapsed hold: TTL deletes lazily (never locally)
    status = ReservationStatus(raw["status"]["S"])
    if status not in OCCUPYING:
        return None
    return Occupant(
        reservation_id=raw["reservation_id"]["S"],
        user_id=raw["user_id"]["S"],
        window=TimeRange(
            parse_instant(raw["start_time"]["S"]), parse_instant(raw["end_time"]["S"])
        ),
        status=status,
    )


def day_bumps(resource_id: str, versions: dict[date, int | None]) -> list[dict[str, Any]]:
    table = table_name()
    pk = resource_pk(resource_id)
    updates = []
    for day, seen in versions.items():
        values: dict[str, Any] = {
            ":next": {"N": str((seen or 0) + 1)},
            ":type": {"S": "day_version"},
        }
        if seen is None:
            condition = "attribute_not_exists(#v)"
        else:
            condition = "#v = :seen"
            values[":seen"] = {"N": str(seen)}
        updates.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": key(pk, day_sk(day)),
                    "UpdateExpression": "SET #v = :next, #t = :type",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#v": "ver", "#t": "type"},
                    "ExpressionAttributeValues": values,
                }
            }
        )
    return updates
