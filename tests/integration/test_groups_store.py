"""The group store's conditions: a move checked on a stale tree cannot close a cycle."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.catalog.groups import Group, move_guard
from chalicelib.domain.errors import Conflict
from chalicelib.store.catalog.groups import GroupStore


@pytest.fixture
def store(aws: None) -> GroupStore:
    return GroupStore()


def test_two_moves_checked_on_the_same_snapshot_cannot_both_commit(store: GroupStore) -> None:
    # Given two sibling roots A and B, and a snapshot both movers read
    a, b = Group("A", "A"), Group("B", "B")
    store.create(a, {})
    store.create(b, {})
    snapshot = store.tree()
    # When A moves under B (valid on the snapshot) and commits
    store.update(a, replace(a, parent_id="B"), dict(move_guard(snapshot, "B")))
    # Then B under A, also valid on the same stale snapshot, fails its conditions
    with pytest.raises(Conflict) as refused:
        store.update(b, replace(b, parent_id="A"), dict(move_guard(snapshot, "A")))
    assert refused.value.code == "group_tree_changed"
    tree = store.tree()
    assert tree.get("A").parent_id == "B"
    assert tree.get("B").parent_id is None
    assert tree.get("B").children == 1


def test_a_create_under_a_group_being_deleted_loses(store: GroupStore) -> None:
    parent = Group("P", "P")
    store.create(parent, {})
    snapshot = store.tree()
    store.delete(snapshot.get("P"))
    with pytest.raises(Conflict):
        store.create(Group("C", "C", parent_id="P"), dict(move_guard(snapshot, "P")))
    assert store.tree().groups == {}
