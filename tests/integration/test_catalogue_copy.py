"""The per-process catalogue copy (issue 16, store/catalog/snapshot.py): it lists exactly what
the index lists, for every filter and order, and it follows every write."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.domain.catalog.groups import Group
from chalicelib.domain.catalog.resources import Location, Maintenance, Resource, ResourceStatus
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.clock import FrozenClock
from chalicelib.store import dynamo
from chalicelib.store.catalog import importer, snapshot
from chalicelib.store.catalog import query as listing
from chalicelib.store.catalog import version as catalogue_version
from chalicelib.store.catalog.groups import GroupStore
from chalicelib.store.catalog.items import ResourceItem, resource_pk, to_item
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.table import bind

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


class Clocks:
    """Monotonic and wall time the test moves by hand."""

    def __init__(self) -> None:
        self.monotonic, self.wall = 1_000.0, 2_000_000_000.0

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += seconds


@pytest.fixture
def store(clock: FrozenClock) -> ResourceStore:
    for group_id in ("g-a", "g-b"):
        GroupStore().create(Group(group_id, f"Group {group_id}"), {})
    return ResourceStore(wiring.cursors())


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[snapshot.CatalogueCopies, Clocks]]:
    clocks = Clocks()
    fresh = snapshot.CatalogueCopies(lambda: clocks.monotonic, lambda: clocks.wall)
    monkeypatch.setattr(snapshot, "COPIES", fresh)
    yield fresh, clocks


def varied(n: int) -> Resource:
    """Resources that differ in every attribute a filter reads."""
    maintenance = None
    if n % 7 == 0:
        until = None if n % 14 == 0 else NOW + timedelta(hours=(n % 3) - 1)
        maintenance = Maintenance(NOW - timedelta(days=1), "service", until)
    return Resource(
        resource_id=f"res-{n:02d}",
        name=f"{['Alpha', 'beta', 'Gamma', 'delta'][n % 4]} room {n:02d}",
        description=["", "Has a PROJECTOR", "quiet corner", "projector and whiteboard"][n % 4],
        tags=tuple(t for t, on in (("av", n % 2 == 0), ("quiet", n % 3 == 0)) if on),
        capacity=n % 9,
        location=Location(building=["", "North", "South"][n % 3], floor=["", "1", "2"][n // 3 % 3]),
        enabled=n % 5 != 0,
        maintenance=maintenance,
        group_id=[None, "g-a", "g-b"][n % 3],
        labels=tuple(lb for lb, on in (("l-1", n % 2 == 1), ("l-2", n % 4 < 2)) if on),
        created_at=NOW - timedelta(hours=n * 7 % 31),
        updated_at=NOW,
    )


QUERIES = [
    ResourceQuery(),
    ResourceQuery(q="projector"),
    ResourceQuery(q="room 1"),
    ResourceQuery(tags=("av",)),
    ResourceQuery(tags=("av", "quiet")),
    ResourceQuery(building="north"),
    ResourceQuery(floor="2", building="south"),
    ResourceQuery(capacity_min=4),
    ResourceQuery(enabled=False),
    ResourceQuery(enabled=True, capacity_min=2),
    *(ResourceQuery(status=status) for status in ResourceStatus),
    ResourceQuery(group_ids=("g-a",)),
    ResourceQuery(group_ids=("g-a", "g-b"), tags=("av",)),
    ResourceQuery(group_ids=()),
    ResourceQuery(ungrouped=True),
    ResourceQuery(labels=("l-1", "l-2")),
    ResourceQuery(labels=("l-1", "l-2"), label_match="any"),
]


def every_page(source: str, query: ResourceQuery) -> list[str]:
    """The ids of every page, cursor after cursor (pages of 5, a fifth of them dropped by
    `keep`), from the index or from the copy."""
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        if source == "index":
            page = listing.page_from_index(wiring.cursors(), query, 5, cursor, now=NOW, keep=most)
        else:
            ordered = snapshot.COPIES.current(listing.index_of(query)[0])
            assert ordered is not None
            page = listing.page_from_copy(
                ordered, wiring.cursors(), query, 5, cursor, now=NOW, keep=most
            )
        ids += [r.resource_id for r in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor
    raise AssertionError("the listing never ended")


def most(resources: list[Resource]) -> list[Resource]:
    """A `keep` filter that drops some of what it gets, as a busy window does."""
    return [r for r in resources if int(r.resource_id[-2:]) % 5 != 3]


def test_the_copy_lists_what_the_index_lists_for_every_filter_and_order(
    store: ResourceStore, copies: tuple[snapshot.CatalogueCopies, Clocks]
) -> None:
    for n in range(40):
        store.create(varied(n))
    orders = itertools.product(QUERIES, ("name", "created"), (False, True))
    checked = 0
    for base, sort, descending in orders:
        query = replace(base, sort=sort, descending=descending)
        expected = every_page("index", query)
        assert every_page("copy", query) == expected, query
        checked += bool(expected)
    assert checked == (len(QUERIES) - 1) * 4  # every query lists something but `group_ids=()`


def test_the_copy_follows_each_write_and_a_missed_bump_lasts_at_most_a_minute(
    store: ResourceStore, copies: tuple[snapshot.CatalogueCopies, Clocks]
) -> None:
    copy, clocks = copies
    for n in (1, 2, 3):
        store.create(varied(n))

    def listed() -> list[str]:
        ordered = copy.current("GSI1")
        assert ordered is not None
        return [str(raw["resource_id"]["S"]) for raw in ordered.items]

    assert listed() == ["res-01", "res-03", "res-02"]  # beta, delta, Gamma
    # A create, a rename (its order changes) and a delete are seen at once
    store.create(varied(4))
    old = store.get("res-01")
    store.save(old, replace(old, name="Zulu room"))
    store.delete(store.get("res-02"))
    assert listed() == ["res-04", "res-03", "res-01"]  # Alpha, delta, Zulu
    # A write that did not bump the version (its writer died right after its transaction)
    bind()
    to_item(varied(5)).save()
    clocks.advance(snapshot.SETTLE_S + 1)
    assert listed() == ["res-04", "res-03", "res-01"]
    # is listed once the copy is a minute old
    clocks.advance(snapshot.MAX_AGE_S)
    assert listed() == ["res-04", "res-05", "res-03", "res-01"]
    ResourceItem(resource_pk("res-05"), "META").delete()


def test_an_import_bumps_the_version_once_and_the_copy_lists_every_imported_resource(
    store: ResourceStore, copies: tuple[snapshot.CatalogueCopies, Clocks]
) -> None:
    copy, clocks = copies
    store.create(varied(1))
    before = catalogue_version.read_version().count
    assert copy.current("GSI1") is not None  # a copy built before the import
    clocks.advance(snapshot.SETTLE_S + 1)
    # When 60 resources are imported (several transactions)
    imported = [replace(varied(n), group_id=None) for n in range(10, 70)]
    assert len(list(importer.chunks(imported))) > 1
    importer.import_all(store, imported)
    # Then the version moved once, and the copy lists them all
    assert catalogue_version.read_version().count == before + 1
    ordered = copy.current("GSI1")
    assert ordered is not None
    listed = {str(raw["resource_id"]["S"]) for raw in ordered.items}
    assert listed == {"res-01", *(r.resource_id for r in imported)}


def test_a_copy_built_right_after_a_write_is_rebuilt_once_the_index_caught_up(
    store: ResourceStore, copies: tuple[snapshot.CatalogueCopies, Clocks]
) -> None:
    copy, clocks = copies
    store.create(varied(1))
    # The version's write time is the copy's wall clock: the copy is built "right after" it
    catalogue_version.bump_version(lambda: clocks.wall)
    first = copy.current("GSI1")
    assert copy.current("GSI1") is first  # reused while the index may still be catching up
    clocks.advance(snapshot.SETTLE_S)
    rebuilt = copy.current("GSI1")
    assert rebuilt is not first  # then read again, once
    assert copy.current("GSI1") is rebuilt


def test_a_version_that_cannot_be_bumped_does_not_fail_the_write(
    store: ResourceStore, copies: tuple[snapshot.CatalogueCopies, Clocks]
) -> None:
    # Given DynamoDB refusing the version's update (throttled), after the write's transaction
    def throttle(params: dict[str, object], **_: object) -> None:
        if params.get("Key") == catalogue_version.VERSION_KEY:
            error = {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
            raise ClientError({"Error": error}, "UpdateItem")

    events = dynamo.client().meta.events
    events.register("before-parameter-build.dynamodb.UpdateItem", throttle)
    try:
        # When a resource is created, Then the create succeeds and the resource is stored
        store.create(varied(1))
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", throttle)
    assert store.get("res-01").name == "beta room 01"
    # And the version did not move: other copies see it at their age limit
    assert catalogue_version.read_version().count == 0
