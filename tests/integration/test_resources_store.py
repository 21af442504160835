"""The resource repository on moto: transactional bookkeeping, reads used by booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.hours import new_blackout, parse_week
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import SequentialIds
from chalicelib.store.catalog import blackouts, settings_items
from chalicelib.store.catalog import importer as resource_import
from chalicelib.store.catalog.importer import chunks
from chalicelib.store.catalog.repository import ResourceStore
from tests.resource_factories import NOW, a_resource

WEEKDAYS_9_TO_5 = {d: {"opens": "09:00", "closes": "17:00"} for d in ("mon", "tue", "wed")}


@pytest.fixture
def repo(aws: None) -> ResourceStore:
    return ResourceStore(wiring.cursors())


def item_count() -> int:
    table = boto3.client("dynamodb").describe_table(TableName="reserver-main")
    scan = boto3.client("dynamodb").scan(TableName=table["Table"]["TableName"], Select="COUNT")
    return int(scan["Count"])


def test_create_then_get_and_get_many(repo: ResourceStore) -> None:
    # Given two stored resources
    one = repo.create(a_resource("r1", "One", tags=("a",), capacity=4))
    repo.create(a_resource("r2", "Two"))
    # When read back
    got = repo.get("r1")
    many = repo.get_many(["r1", "r2", "missing"])
    # Then they round-trip, and missing ids are simply absent
    assert got == one
    assert set(many) == {"r1", "r2"}
    with pytest.raises(NotFound) as caught:
        repo.get("missing")
    assert caught.value.code == "resource_not_found"


def test_names_are_unique_case_insensitively(repo: ResourceStore) -> None:
    repo.create(a_resource("r1", "Room 1"))
    with pytest.raises(Conflict) as caught:
        repo.create(a_resource("r2", "ROOM  1"))
    assert caught.value.code == "resource_name_taken"
    # Nothing of the refused resource was written (one transaction)
    assert repo.find("r2") is None
    assert repo.counts(NOW).total == 1


def test_rename_frees_the_old_name_and_takes_the_new_one(repo: ResourceStore) -> None:
    old = repo.create(a_resource("r1", "Alpha"))
    repo.create(a_resource("r2", "Beta"))
    renamed = repo.save(old, replace(old, name="Gamma"))
    assert renamed.version == 2
    repo.create(a_resource("r3", "alpha"))  # free again
    with pytest.raises(Conflict) as caught:
        repo.save(renamed, replace(renamed, name="BETA"))
    assert caught.value.code == "resource_name_taken"


def test_a_stale_version_is_refused(repo: ResourceStore) -> None:
    first = repo.create(a_resource("r1"))
    repo.save(first, replace(first, capacity=2))
    with pytest.raises(Conflict) as caught:
        repo.save(first, replace(first, capacity=3))
    assert caught.value.code == "version_conflict"
    assert repo.get("r1").capacity == 2


def test_tag_counters_follow_every_write(repo: ResourceStore) -> None:
    a = repo.create(a_resource("r1", "A", tags=("x", "y")))
    repo.create(a_resource("r2", "B", tags=("x",)))
    repo.save(a, replace(a, tags=("y", "z")))
    tags, _ = repo.tag_page(10, None)
    assert tags == [("x", 1), ("y", 1), ("z", 1)]
    assert repo.tag_members("x", 10) == ["r2"]
    repo.delete(repo.get("r2"))
    assert dict(repo.tag_page(10, None)[0]) == {"y": 1, "z": 1}


def test_counts_track_total_enabled_and_maintenance_in_force(repo: ResourceStore) -> None:
    a = repo.create(a_resource("r1", "A"))
    repo.create(a_resource("r2", "B", enabled=False))
    maintenance = catalog.begin_maintenance(NOW, "fix", 2)
    repo.save(a, replace(a, maintenance=maintenance))
    assert repo.counts(NOW) == repo.counts(NOW + timedelta(hours=1))
    now_counts = repo.counts(NOW)
    assert (now_counts.total, now_counts.enabled, now_counts.maintenance) == (2, 1, 1)
    # When the auto-reset time passes, Then it no longer counts (computed, nothing written)
    assert repo.counts(NOW + timedelta(hours=2)).maintenance == 0


def test_delete_removes_every_item_of_the_resource(repo: ResourceStore) -> None:
    # Given an empty table, When a resource with tags, maintenance and a blackout is deleted
    before = item_count()
    r = repo.create(a_resource("r1", "A", tags=("x", "y")))
    r = repo.save(r, replace(r, maintenance=catalog.begin_maintenance(NOW, "x", 0)))
    blackouts.add(
        new_blackout("b1", date(2026, 12, 1), date(2026, 12, 2), "", "r1"), actor_id="a", now=NOW
    )
    repo.delete(r)
    # Then only the catalogue counter and the catalogue version remain (tag counters at zero
    # are removed too), and the name is free again
    assert item_count() - before == 2
    repo.create(a_resource("r2", "a"))


def test_hours_for_prefers_the_resource_then_the_default(repo: ResourceStore) -> None:
    own = parse_week(WEEKDAYS_9_TO_5)
    plain = repo.create(a_resource("r1", "A"))
    custom = repo.create(replace(a_resource("r2", "B"), business_hours=own))
    assert repo.hours_for(plain) is None  # no default: always open
    default = parse_week({"mon": {"opens": "08:00", "closes": "24:00"}})
    settings_items.set_default_hours(default, actor_id="admin", now=NOW)
    assert repo.hours_for(plain) == default
    assert repo.hours_for(repo.get(custom.resource_id)) == own


def test_blackouts_between_returns_resource_and_global_ones_touching_the_range(
    repo: ResourceStore,
) -> None:
    repo.create(a_resource("r1", "A"))
    repo.create(a_resource("r2", "B"))
    for bid, start, end, rid in [
        ("own", date(2026, 12, 20), date(2026, 12, 24), "r1"),
        ("global", date(2026, 12, 31), date(2027, 1, 1), None),
        ("other", date(2026, 12, 21), date(2026, 12, 22), "r2"),
        ("past", date(2026, 12, 1), date(2026, 12, 19), "r1"),
        ("later", date(2027, 1, 2), date(2027, 1, 3), "r1"),
    ]:
        blackouts.add(new_blackout(bid, start, end, "", rid), actor_id="a", now=NOW)
    found = repo.blackouts_between("r1", date(2026, 12, 24), date(2027, 1, 1))
    assert [b.blackout_id for b in found] == ["own", "global"]
    # Edges are inclusive on both sides
    assert [
        b.blackout_id for b in repo.blackouts_between("r1", date(2026, 12, 19), date(2026, 12, 19))
    ] == ["past"]
    assert [
        b.blackout_id for b in repo.blackouts_between("r1", date(2027, 1, 2), date(2027, 1, 2))
    ] == ["later"]


def test_a_blackout_for_a_missing_resource_is_refused_atomically(repo: ResourceStore) -> None:
    with pytest.raises(NotFound):
        blackouts.add(
            new_blackout("b1", date(2026, 12, 1), date(2026, 12, 1), "", "nope"),
            actor_id="a",
            now=NOW,
        )
    assert blackouts.between(None, date(2026, 1, 1), date(2027, 12, 31), include_global=True) == []


def test_import_chunks_fit_in_one_transaction_each() -> None:
    resources = [
        a_resource(f"r{i}", f"R{i}", tags=tuple(f"t{j}" for j in range(i % 20))) for i in range(200)
    ]
    sizes = []
    for chunk in chunks(resources):
        tags = {t for r in chunk for t in r.tags}
        sizes.append(sum(3 + len(r.tags) for r in chunk) + len(tags) + 1)
    assert max(sizes) <= 100
    assert sum(len(c) for c in chunks(resources)) == 200


def test_a_failing_import_chunk_removes_the_chunks_already_written(
    repo: ResourceStore,
) -> None:
    # Given ids that will collide in the second chunk with a resource created meanwhile
    ids = SequentialIds("imp")
    resources = [a_resource(ids.new_id(), f"Imported {i}") for i in range(60)]
    assert len(list(chunks(resources))) == 2
    repo.create(a_resource(resources[-1].resource_id, "Squatter"))
    # When the import runs
    with pytest.raises(Conflict) as caught:
        resource_import.import_all(repo, resources)
    # Then it reports a conflict and nothing of it remains: names, tags and counters included
    assert caught.value.code == "import_conflict"
    assert repo.get_many([r.resource_id for r in resources[:-1]]) == {}
    assert repo.counts(NOW).total == 1
    assert repo.names_taken(["Imported 0", "Squatter"]) == {"Squatter"}
