"""All-or-nothing import of many resources, written in transactions of at most 100 items.

Each chunk is one transaction (resources, unique names, tag memberships, summed counters). If
a chunk fails (a name claimed meanwhile, an id collision), the chunks already written are
deleted again (compensation), so after a failure nothing of the import remains. While an
import runs, its first chunks can briefly be visible to readers; that is the price of
imports larger than one transaction. The catalogue version (store/catalog/version.py) is
bumped once, when the import (or its compensation) is over, not after every chunk: a copy
of the listing built meanwhile is stale from that bump on, as after any write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict, DomainError
from chalicelib.observability import logger
from chalicelib.store.catalog import blackouts as blackout_store
from chalicelib.store.catalog import version as catalogue_version
from chalicelib.store.catalog.repository import (
    Plan,
    ResourceStore,
    finish,
    forget_unused_tags,
    plan_change,
)
from chalicelib.store.transact import MAX_ITEMS


def _cost(resource: Resource) -> int:
    # resource + name + one membership per tag + its blackout marker (created with it) + a
    # maintenance marker when it has one
    return 3 + len(resource.tags) + int(resource.maintenance is not None)


def chunks(resources: Sequence[Resource], max_items: int = MAX_ITEMS) -> Iterator[list[Resource]]:
    """Greedy chunks whose transaction (items + one counter per distinct tag + stats) fits."""
    chunk: list[Resource] = []
    items, tags = 0, set[str]()
    for resource in resources:
        new_tags = tags | set(resource.tags)
        if chunk and items + _cost(resource) + len(new_tags) + 1 > max_items:
            yield chunk
            chunk, items, new_tags = [], 0, set(resource.tags)
        chunk.append(resource)
        items += _cost(resource)
        tags = new_tags
    if chunk:
        yield chunk


def _write(changes: Sequence[tuple[Resource | None, Resource | None]]) -> None:
    plan = Plan()
    for old, new in changes:
        plan_change(plan, old, new)
        if old is None and new is not None:
            # A new resource has no blackouts of its own: its marker says so from the start,
            # in the same transaction (as a single create), not one put per resource after.
            plan.tx.put(blackout_store.empty_count(new.resource_id), None, "blackout_count")
        elif old is not None and new is None:  # compensation: the marker goes with it
            plan.tx.delete(blackout_store.empty_count(old.resource_id), None, "blackout_count")
    finish(plan).commit()  # the catalogue version: once, by the caller (see above)
    forget_unused_tags(plan)


def import_all(repository: ResourceStore, resources: Sequence[Resource]) -> None:
    written: list[Resource] = []
    try:
        for chunk in chunks(resources):
            try:
                _write([(None, resource) for resource in chunk])
            except (DomainError, PynamoDBException) as exc:
                logger.info("resource import failed; compensating", extra={"written": len(written)})
                compensate(repository, [r.resource_id for r in written])
                raise Conflict(
                    "the import conflicted with a concurrent change; nothing was imported",
                    code="import_conflict",
                    details={"reason": getattr(exc, "code", type(exc).__name__)},
                ) from exc
            written.extend(chunk)
    finally:
        if written:
            catalogue_version.bump_after_write()


def compensate(repository: ResourceStore, resource_ids: Sequence[str]) -> None:
    """Delete what an aborted import wrote, from its current state (it may have been edited)."""
    current = repository.get_many(resource_ids)
    for chunk in chunks([current[rid] for rid in resource_ids if rid in current]):
        try:
            _write([(resource, None) for resource in chunk])
        except (DomainError, PynamoDBException):
            logger.exception(
                "import compensation failed", extra={"resource_ids": [r.resource_id for r in chunk]}
            )
