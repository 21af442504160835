"""Blackout dates: closed date ranges of one resource, or global ones.

Items:
- blackout:  `BLACKOUTS#<resource_id | GLOBAL>` / `<end_date>#<blackout_id>`. Blackouts
  touching [start, end] are one query per scope: SK >= start, filtered on start_date <= end.
- reference: `BLACKOUT#<blackout_id>` / `REF` -> scope and sort key, so a blackout can be
  deleted by id with a consistent read (no index lag, no partition scan).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.catalog.resources import Blackout
from chalicelib.domain.errors import Conflict, DomainError, NotFound
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import audit_stamp, dynamo
from chalicelib.store.catalog import reference_cache
from chalicelib.store.catalog import version as catalogue_version
from chalicelib.store.catalog.items import META, ResourceItem, resource_pk
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

GLOBAL = "GLOBAL"
REF_SK = "REF"


def scope_pk(resource_id: str | None) -> str:
    return f"BLACKOUTS#{resource_id or GLOBAL}"


def blackout_sk(blackout: Blackout) -> str:
    return f"{blackout.end_date.isoformat()}#{blackout.blackout_id}"


def ref_pk(blackout_id: str) -> str:
    return f"BLACKOUT#{blackout_id}"


class BlackoutItem(TableItem, discriminator="blackout"):  # type: ignore[call-arg]
    blackout_id = UnicodeAttribute()
    resource_id = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)


class BlackoutRefItem(TableItem, discriminator="blackout_ref"):  # type: ignore[call-arg]
    scope = UnicodeAttribute()
    sort_key = UnicodeAttribute()


class BlackoutCountItem(TableItem, discriminator="blackout_count"):  # type: ignore[call-arg]
    """`RESOURCE#<id>` / `BLACKOUTS`: how many blackouts of its own a resource has, counted in
    the transaction that adds or removes one (created with the resource). The booking path
    reads it with the resource (same BatchGetItem) and skips the blackout query when it is 0;
    a missing marker (a resource from before markers existed) means "unknown: query"."""

    total = NumberAttribute()


COUNT_SK = "BLACKOUTS"


def count_key(resource_id: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": resource_pk(resource_id)}, "SK": {"S": COUNT_SK}}


def empty_count(resource_id: str) -> BlackoutCountItem:
    """The marker of a new resource: no blackouts of its own yet."""
    return BlackoutCountItem(PK=resource_pk(resource_id), SK=COUNT_SK, total=0)


def start_counts(resource_ids: list[str]) -> None:
    """Markers for resources created without one (an import): each put only if absent, so a
    blackout counted meanwhile is kept."""
    for resource_id in resource_ids:
        try:
            empty_count(resource_id).save(condition=BlackoutCountItem.PK.does_not_exist())
        except PutError:
            continue  # counted already


def count_from_raw(raw: dict[str, object] | None) -> int | None:
    return int(BlackoutCountItem.from_raw_data(raw).total) if raw else None


class _Uncounted(DomainError):
    """The resource has no marker (it predates them): its blackouts stay uncounted."""

    def __init__(self) -> None:
        super().__init__("the resource has no blackout marker", code="blackouts_uncounted")


def _count_changes(tx: Tx, resource_id: str, delta: int) -> None:
    """Count the change on the marker, if the resource has one: a resource from before the
    markers keeps none, so the booking path keeps querying its blackouts."""
    marker = BlackoutCountItem(PK=resource_pk(resource_id), SK=COUNT_SK)
    tx.update(marker, [BlackoutCountItem.total.add(delta)], BlackoutCountItem.PK.exists(), "count")
    tx.on_fail("count", _Uncounted)


def _commit_counted(build: Callable[[bool], Tx]) -> None:
    try:
        build(True).commit()
    except _Uncounted:
        build(False).commit()


def _to_domain(item: BlackoutItem) -> Blackout:
    return Blackout(
        blackout_id=item.blackout_id,
        start_date=date.fromisoformat(item.start_date),
        end_date=date.fromisoformat(item.end_date),
        reason=item.reason or "",
        resource_id=item.resource_id,
    )


def _not_found(blackout_id: str) -> NotFound:
    return NotFound(
        f"blackout '{blackout_id}' does not exist",
        code="blackout_not_found",
        details={"blackout_id": blackout_id},
    )


def add(blackout: Blackout, *, actor_id: str, now: datetime) -> Blackout:
    """Store a blackout; a resource blackout also checks (in the same transaction) that the
    resource still exists, so none is left behind by a concurrent delete, and counts itself
    on the resource's marker."""
    bind()
    _commit_counted(lambda counted: _add_tx(blackout, actor_id, now, counted=counted))
    if blackout.resource_id is None:
        reference_cache.forget_blackouts()
    else:
        catalogue_version.bump_after_write()  # the search's catalogue copy holds the marker
    return blackout


def _add_tx(blackout: Blackout, actor_id: str, now: datetime, *, counted: bool) -> Tx:
    pk, sk = scope_pk(blackout.resource_id), blackout_sk(blackout)
    tx = Tx()
    item = BlackoutItem(
        PK=pk,
        SK=sk,
        blackout_id=blackout.blackout_id,
        resource_id=blackout.resource_id,
        start_date=blackout.start_date.isoformat(),
        end_date=blackout.end_date.isoformat(),
        reason=blackout.reason,
        created_by=actor_id,
        created_at=iso_z(now),
    )
    tx.put(audit_stamp.stamp(item), BlackoutItem.PK.does_not_exist(), "blackout")
    ref = BlackoutRefItem(PK=ref_pk(blackout.blackout_id), SK=REF_SK, scope=pk, sort_key=sk)
    tx.put(ref, BlackoutRefItem.PK.does_not_exist(), "ref")
    tx.on_fail("ref", lambda: Conflict("blackout id taken", code="blackout_exists"))
    if blackout.resource_id is not None:
        rid = blackout.resource_id
        alive = ResourceItem.PK.exists() & ResourceItem.deleting.does_not_exist()
        tx.check(ResourceItem, resource_pk(rid), META, alive, "resource")
        tx.on_fail(
            "resource",
            lambda: NotFound(f"resource '{rid}' does not exist", code="resource_not_found"),
        )
        if counted:
            _count_changes(tx, rid, +1)
    return tx


def remove(blackout_id: str, *, resource_id: str | None) -> None:
    """Delete by id within its scope (a resource's, or global when `resource_id` is None)."""
    bind()
    try:
        ref = BlackoutRefItem.get(ref_pk(blackout_id), REF_SK, consistent_read=True)
    except DoesNotExist:
        raise _not_found(blackout_id) from None
    if ref.scope != scope_pk(resource_id):
        raise _not_found(blackout_id)
    # Stamp first, so the REMOVE record's old image names who deleted it (audit log).
    try:
        BlackoutItem(PK=ref.scope, SK=ref.sort_key).update(
            actions=audit_stamp.delete_stamp_actions(), condition=BlackoutItem.PK.exists()
        )
    except UpdateError:
        raise _not_found(blackout_id) from None

    def build(counted: bool) -> Tx:
        tx = Tx()
        tx.delete(BlackoutItem(PK=ref.scope, SK=ref.sort_key), BlackoutItem.PK.exists(), "blackout")
        tx.delete(BlackoutRefItem(PK=ref.PK, SK=REF_SK), BlackoutRefItem.PK.exists(), "ref")
        tx.on_fail("blackout", lambda: _not_found(blackout_id))
        tx.on_fail("ref", lambda: _not_found(blackout_id))
        if counted and resource_id is not None:
            _count_changes(tx, resource_id, -1)
        return tx

    _commit_counted(build)
    if resource_id is None:
        reference_cache.forget_blackouts()
    else:
        catalogue_version.bump_after_write()


def _scope_between(resource_id: str | None, start: date, end: date) -> list[Blackout]:
    results = BlackoutItem.query(
        scope_pk(resource_id),
        start.isoformat() <= BlackoutItem.SK,
        filter_condition=BlackoutItem.start_date <= end.isoformat(),
        consistent_read=True,
    )
    return [_to_domain(item) for item in results]


def between(
    resource_id: str | None, start: date, end: date, *, include_global: bool
) -> list[Blackout]:
    """Blackouts touching [start, end] (inclusive dates), by start date."""
    bind()
    found = _scope_between(resource_id, start, end) if resource_id is not None else []
    if include_global or resource_id is None:
        found += _scope_between(None, start, end)
    return sorted(found, key=lambda b: (b.start_date, b.end_date, b.blackout_id))


def between_cached(resource_id: str | None, start: date, end: date) -> list[Blackout]:
    """`between(..., include_global=True)` with the global part reused for up to a few
    seconds (see store/catalog/reference_cache.py); the resource's own blackouts are always read."""
    bind()
    found = _scope_between(resource_id, start, end) if resource_id is not None else []
    found += global_between_cached(start, end)
    return sorted(found, key=lambda b: (b.start_date, b.end_date, b.blackout_id))


def global_between_cached(start: date, end: date) -> list[Blackout]:
    bind()
    return reference_cache.global_blackouts(start, end, _global_from)


def _global_from(floor: date) -> list[Blackout]:
    results = BlackoutItem.query(
        scope_pk(None), floor.isoformat() <= BlackoutItem.SK, consistent_read=True
    )
    return [_to_domain(item) for item in results]


def purge(resource_id: str) -> None:
    """Delete a deleted resource's blackouts (after the resource itself is gone)."""
    bind()
    items = list(BlackoutItem.query(scope_pk(resource_id), consistent_read=True))
    with BlackoutItem.batch_write() as batch:
        batch.delete(BlackoutCountItem(PK=resource_pk(resource_id), SK=COUNT_SK))
        for item in items:
            batch.delete(item)
            batch.delete(BlackoutRefItem(PK=ref_pk(item.blackout_id), SK=REF_SK))
    catalogue_version.bump_after_write()


# --- the free-window search's batch read of markers (search16) ------------------------------


def counts_of(resource_ids: list[str]) -> dict[str, int | None]:
    """The own-blackout markers of many resources in one BatchGetItem per 100 (None: no
    marker, the resource predates them and must be queried)."""
    bind()
    table = str(TableItem.Meta.table_name)
    found = dynamo.batch_get(table, [count_key(rid) for rid in resource_ids])
    return {rid: count_from_raw(found.get((resource_pk(rid), COUNT_SK))) for rid in resource_ids}
