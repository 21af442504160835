"""The booking invariant, enforced inside DynamoDB (DESIGN.md section 2).

To occupy windows on resources (each widened by its resource's buffers to the *blocked* range):
1. read, consistently, the version item of every (resource, UTC day) the blocked ranges touch;
2. query, strongly consistently on the base table, the occupancy items that could overlap;
3. check overlap in pure code (`domain.conflicts.find_conflicts`);
4. TransactWriteItems: each day `ver = seen + 1 IF ver = seen (or absent)` + the new items,
   all conditional.
Two overlapping bookings share at least one (resource, day), so at most one of two racing
transactions commits; the loser re-reads and books or reports the conflict. The order of 1 and
2 matters: a booking that committed before our version read is visible to our query; one that
commits after it changes a version we condition on.

`BookingTransactions.occupy` is that algorithm for every way to occupy time: one booking, a
chunk of a series (one resource), a chunk of a bulk request (several resources), a move.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.errors import RuleViolation, TooManyRequests
from chalicelib.domain.reservations import OCCUPYING, ReservationStatus, TimeRange, conflicts
from chalicelib.domain.reservations.conflicts import (
    Buffers,
    Occupant,
    ReservationConflict,
    find_conflicts,
)
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item, TransactionCancelled, transact
from chalicelib.store.reservations import occupied_by
from chalicelib.store.reservations.items import (
    SLOT_PREFIX,
    day_sk,
    key,
    parse_instant,
    resource_pk,
    slot_bound,
    table_name,
)

MAX_ATTEMPTS = 6
_AFTER_EVERY_SLOT = SLOT_PREFIX + "~"  # sorts after every ISO instant
MAX_MERGED_RANGE = timedelta(days=31)
_ONE_MS = timedelta(milliseconds=1)

Versions = dict[date, int | None]


class DuplicateRequest(Exception):
    """The Idempotency-Key record appeared while we were booking: replay the first outcome."""


class StaleItem(Exception):
    """A condition on one of the written items failed (it changed under us); index given."""

    def __init__(self, index: int) -> None:
        super().__init__(f"transaction item {index} failed its condition")
        self.index = index


class QuotaExceeded(RuleViolation):
    """A quota counter of the occupation would pass its limit (someone, usually the same user
    in another request, took the room meanwhile); `counter` names it. A RuleViolation (422)
    wherever it surfaces; the booking service re-explains it with fresh numbers."""

    def __init__(self, counter: str) -> None:
        rule_id = counter.split("#", 1)[0]
        message = "a quota limit was reached by another booking just now"
        entry = {"rule": "quota", "code": "quota_exceeded", "message": message}
        super().__init__(
            message,
            code="quota_exceeded",
            details={"rule_id": rule_id, "violations": [{**entry, "rule_id": rule_id}]},
        )
        self.counter = counter


class FenceFailed(Exception):
    """A fence of the occupation failed: the anchor it guards (a series or a bulk batch) is no
    longer `creating` (the recovery job rolled it back), so nothing of this chunk was written."""


@dataclass
class Snapshot:
    versions: Versions
    occupants: list[Occupant] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """One window to occupy on one resource (with that resource's buffers)."""

    resource_id: str
    window: TimeRange
    buffers: Buffers
    queued: bool = False  # a request awaiting approval (see conflicts.find_conflicts)


@dataclass(frozen=True)
class Occupation:
    """What one transaction commits: `items` (the writes that occupy `windows`), plus
    `extra` items checked with them (the Idempotency-Key record at `idempotency_index`, an
    anchor, fences). A failed condition is classified by where the item sits: a day version
    (retry), one of `items` (`StaleItem`), the key record (`DuplicateRequest`), any other extra
    item (`FenceFailed`). `ReservationConflict.clashes` index into `windows`."""

    windows: tuple[Window, ...]
    items: tuple[Item, ...]
    now: datetime
    extra: tuple[Item, ...] = ()
    # Quota counter updates (issue 13), committed between `items` and `extra`.
    quota: tuple[Item, ...] = ()
    idempotency_index: int | None = None  # within `extra`
    ignore_ids: frozenset[str] = frozenset()  # e.g. the reservation being moved
    # Day versions already read (with the resource, before the rule checks): the first
    # attempt uses them if they cover its days. Read before the slot query, so the invariant
    # holds; a stale one only costs a retry.
    known_versions: Mapping[str, Mapping[date, int | None]] = field(default_factory=dict)
    # Composite links read with those versions (issue 16): used on the first attempt only,
    # each guarded by a ConditionCheck (occupied_by.guard), so the links read costs no call.
    known_links: Mapping[str, occupied_by.Links] = field(default_factory=dict)
    # Occupants read after `known_versions` (issue 16, bulk16: a bulk request's pre-check),
    # covering every window of the resource: the first attempt uses them instead of its own
    # query; the versions in the transaction prove nobody booked since.
    known_occupants: Mapping[str, Sequence[Occupant]] = field(default_factory=dict)

    def by_resource(self) -> dict[str, list[Window]]:
        groups: dict[str, list[Window]] = {}
        for w in self.windows:
            groups.setdefault(w.resource_id, []).append(w)
        return groups


class BookingTransactions:
    """Runs occupations with bounded, jittered retries; never sleeps on a genuine conflict."""

    def __init__(
        self,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._sleep = sleep
        self._jitter = jitter

    def occupy(self, occupation: Occupation) -> None:
        """Raises ReservationConflict, StaleItem, DuplicateRequest, FenceFailed, or
        TooManyRequests after MAX_ATTEMPTS lost version races."""
        for attempt in range(MAX_ATTEMPTS):
            snapshots = self._snapshots(occupation, first_attempt=attempt == 0)
            _refuse_overlaps(occupation, snapshots)
            bumps = [b for rid, snap in snapshots.items() for b in day_bumps(rid, snap.versions)]
            links = occupation.known_links if attempt == 0 else {}
            bumps += [
                b
                for rid, v in shadow_versions(occupation, snapshots, links).items()
                for b in day_bumps(rid, v)
            ]
            # Checked like a day version: a failed one means "re-read", never a conflict.
            bumps += [occupied_by.guard(lk, table_name()) for lk in links.values()]
            try:
                transact([*bumps, *occupation.items, *occupation.quota, *occupation.extra])
                return
            except TransactionCancelled as exc:
                items = len(occupation.items)
                _refuse_quota(exc, len(bumps) + items, occupation.quota)
                _classify(
                    exc, len(bumps), items + len(occupation.quota), occupation.idempotency_index
                )
            # A few ms only: losers of a version race usually just need a fresh read.
            self._sleep((0.002 + 0.004 * self._jitter()) * (attempt + 1))
        raise TooManyRequests(
            "the resource is very busy right now; please retry",
            retry_after=1,
            code="booking_contention",
        )

    def snapshot(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> Snapshot:
        """Versions FIRST, then neighbours (see the module docstring for why)."""
        versions = read_versions(resource_id, buffers.days(windows))
        occupants = occupants_around(resource_id, windows, buffers, now)
        return Snapshot(versions, occupants)

    def _snapshots(self, occupation: Occupation, *, first_attempt: bool) -> dict[str, Snapshot]:
        """A snapshot per resource; versions the caller read already (before this call, so
        still before the neighbour query) are not read again on the first attempt."""
        snapshots: dict[str, Snapshot] = {}
        for rid, group in occupation.by_resource().items():
            buffers = group[0].buffers
            windows = [w.window for w in group]
            days = buffers.days(windows)
            known = occupation.known_versions.get(rid) if first_attempt else None
            if known is not None and all(day in known for day in days):
                read = occupation.known_occupants.get(rid)
                occupants = (
                    list(read)
                    if read is not None
                    else occupants_around(rid, windows, buffers, occupation.now)
                )
                snapshots[rid] = Snapshot({day: known[day] for day in days}, occupants)
            else:
                snapshots[rid] = self.snapshot(rid, windows, buffers, occupation.now)
        return snapshots


def _refuse_overlaps(occupation: Occupation, snapshots: Mapping[str, Snapshot]) -> None:
    clashes: dict[int, list[Occupant]] = {}
    for index, w in enumerate(occupation.windows):
        found = find_conflicts(
            w.window,
            snapshots[w.resource_id].occupants,
            w.buffers,
            ignore_ids=occupation.ignore_ids,
            queued=w.queued,
        )
        if found:
            clashes[index] = found
    if clashes:
        raise ReservationConflict(clashes)


def _refuse_quota(exc: TransactionCancelled, first: int, quota: Sequence[Item]) -> None:
    for index in exc.failed_conditions():
        if first <= index < first + len(quota):
            sk = str(quota[index - first]["Update"]["Key"]["SK"]["S"])
            raise QuotaExceeded(sk.split("#", 1)[1]) from exc


def _classify(exc: TransactionCancelled, n_bumps: int, n_items: int, idem: int | None) -> None:
    """Return if the transaction should simply be re-run; raise otherwise."""
    if exc.only_contention:
        return
    failed = exc.failed_conditions()
    if not failed:
        raise exc.error from exc
    for index in failed:
        if index < n_bumps:
            continue  # a day version moved: someone else booked that day; re-read
        if index < n_bumps + n_items:
            raise StaleItem(index - n_bumps) from exc
        if idem is not None and index - n_bumps - n_items == idem:
            raise DuplicateRequest() from exc
        raise FenceFailed() from exc


# --- reads ------------------------------------------------------------------------------------


def read_versions(resource_id: str, days: Sequence[date]) -> Versions:
    return read_with_versions(resource_id, days)[1]


def read_with_versions(
    resource_id: str, days: Sequence[date], *extra_keys: dict[str, Any]
) -> tuple[list[Item | None], Versions]:
    """The day versions of `days` and the `extra_keys` items (the resource and its blackout
    marker, read in the same call by the booking path): consistent reads, one BatchGetItem."""
    table = table_name()
    pk = resource_pk(resource_id)
    if not extra_keys and len(days) == 1:
        return [], {days[0]: _version(dynamo.get(table, key(pk, day_sk(days[0]))))}
    found = dynamo.batch_get(table, [key(pk, day_sk(d)) for d in days] + list(extra_keys))
    extras = [found.get((k["PK"]["S"], k["SK"]["S"])) for k in extra_keys]
    return extras, {d: _version(found.get((pk, day_sk(d)))) for d in days}


def read_versions_many(wanted: Mapping[str, Sequence[date]]) -> dict[str, Versions]:
    """The day versions of several resources (consistent), one BatchGetItem per 100 keys
    (issue 16, bulk16: a bulk request reads them all before its occupants)."""
    table = table_name()
    keys = [key(resource_pk(rid), day_sk(d)) for rid, days in wanted.items() for d in days]
    found = dynamo.batch_get(table, keys) if keys else {}
    return {
        rid: {d: _version(found.get((resource_pk(rid), day_sk(d)))) for d in days}
        for rid, days in wanted.items()
    }


def _version(raw: Item | None) -> int | None:
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


def running_or_later(resource_id: str, now: datetime) -> list[Occupant]:
    """Occupants still running at `now` or starting later (consistent, the whole future)."""
    # A reservation still running now started at most MAX_RESERVATION_SPAN ago.
    low = slot_bound(now - MAX_RESERVATION_SPAN)
    return [o for o in scan_slots(resource_id, low, _AFTER_EVERY_SLOT, now) if o.window.end > now]


def running_at(resource_id: str, now: datetime) -> Occupant | None:
    """The occupant whose window contains `now`, if any."""
    low, high = slot_bound(now - MAX_RESERVATION_SPAN), slot_bound(now + _ONE_MS)
    for occupant in scan_slots(resource_id, low, high, now):
        if occupant.window.start <= now < occupant.window.end:
            return occupant
    return None


def scan_slots(resource_id: str, low: str, high: str, now: datetime) -> Iterable[Occupant]:
    now_epoch = epoch_seconds(now)
    items = dynamo.query(
        TableName=table_name(),
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": resource_pk(resource_id)},
            ":lo": {"S": low},
            ":hi": {"S": high},
        },
    )
    for raw in items:
        occupant = occupant_from_raw(raw, now_epoch)
        if occupant is not None:
            yield occupant


def occupant_from_raw(raw: Item, now_epoch: int) -> Occupant | None:
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


def day_bumps(resource_id: str, versions: Mapping[date, int | None]) -> list[Item]:
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


# --- composite resources (issue 14): what a window occupies beyond its own resource -----------


def shadow_versions(
    occupation: Occupation,
    snapshots: Mapping[str, Snapshot],
    known_links: Mapping[str, occupied_by.Links] | None = None,
) -> dict[str, Versions]:
    """Check the occupation's windows against the occupants of the resources they also occupy
    (store/reservations/occupied_by.py: the parts of a composite, the composites of a part);
    raises ReservationConflict. Returns the day versions to bump there that `snapshots` does
    not already bump. Runs after `snapshots`: the booked resources' versions are read before
    their links (the order occupied_by's docstring relies on), except `known_links`, which
    the caller guards in the transaction (occupied_by.guard)."""
    windows = occupation.windows
    shadows = occupied_by.shadows_of(
        [w.resource_id for w in windows], [w.buffers for w in windows], known_links
    )
    groups: dict[str, list[occupied_by.Shadow]] = {}
    for shadow in shadows:
        groups.setdefault(shadow.resource_id, []).append(shadow)
    extra: dict[str, Versions] = {}
    clashes: dict[int, list[Occupant]] = {}
    for rid, group in groups.items():
        days = {d for s in group for d in s.day_buffers.days([windows[s.index].window])}
        known = snapshots[rid].versions if rid in snapshots else {}
        missing = sorted(d for d in days if d not in known)
        if missing:  # versions first, then the neighbours
            extra[rid] = read_versions(rid, missing)
        for s in group:
            w = windows[s.index]
            around = occupants_around(rid, [w.window], s.buffers, occupation.now)
            found = find_conflicts(
                w.window, around, s.buffers, ignore_ids=occupation.ignore_ids, queued=w.queued
            )
            if found:
                clashes.setdefault(s.index, []).extend(found)
    if clashes:
        raise ReservationConflict(clashes)
    return extra
