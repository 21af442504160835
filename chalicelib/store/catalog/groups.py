"""Resource groups (locations) and group-admin grants: items, keys and conditional writes.

Items (single table, see docs/catalog-groups.md):
- group:        `GROUPS` / `GROUP#<id>` -> name, kind, parent_id, children, resources, version
                (one partition: the whole tree is one strongly consistent query)
- group admin:  `GROUP_ADMINS#<user_id>` / `GROUP#<group_id>`; GSI1 `GROUP_ADMINS_OF#<group_id>`
                / `<user_id>` (the admins of a group)

Why a move cannot race another move into a cycle: the service checks the move on a snapshot
of the tree, and the transaction is conditioned on every parent link that check read (the new
parent's ancestor chain, `domain.catalog.groups.move_guard`) plus the moving group's version.
Two moves that together would close a cycle each change a link the other one read, so the
second to commit fails its condition and re-checks on a fresh snapshot. The counters
`children` and `resources` move in the same transactions, so a delete conditioned on both
being 0 cannot race a create, a move or a resource assignment into the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from typing import cast

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.domain.catalog.groups import Group, Tree, group_not_found
from chalicelib.domain.errors import Conflict
from chalicelib.store import audit_stamp
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

GROUPS_PK = "GROUPS"


def group_sk(group_id: str) -> str:
    return f"GROUP#{group_id}"


def grant_pk(user_id: str) -> str:
    return f"GROUP_ADMINS#{user_id}"


def grants_of_group_pk(group_id: str) -> str:
    return f"GROUP_ADMINS_OF#{group_id}"


class GroupItem(TableItem, discriminator="resource_group"):  # type: ignore[call-arg]
    group_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    children = NumberAttribute(null=True)
    resources = NumberAttribute(null=True)
    version = NumberAttribute(null=True)


class GrantItem(TableItem, discriminator="group_admin"):  # type: ignore[call-arg]
    user_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    role = UnicodeAttribute()


def _item(group: Group) -> GroupItem:
    return GroupItem(
        PK=GROUPS_PK,
        SK=group_sk(group.group_id),
        group_id=group.group_id,
        name=group.name,
        kind=group.kind,
        parent_id=group.parent_id,
        description=group.description,
        children=group.children,
        resources=group.resources,
        version=group.version,
    )


def _group(item: GroupItem) -> Group:
    return Group(
        group_id=str(item.group_id),
        name=str(item.name),
        kind=item.kind or "other",
        parent_id=item.parent_id,
        description=item.description or "",
        children=int(item.children or 0),
        resources=int(item.resources or 0),
        version=int(item.version or 0),
    )


def _key(group_id: str) -> GroupItem:
    return GroupItem(PK=GROUPS_PK, SK=group_sk(group_id))


def _link(parent_id: str | None) -> Condition:
    exists: Condition = GroupItem.PK.exists()
    if parent_id is None:
        return cast(Condition, exists & GroupItem.parent_id.does_not_exist())
    return cast(Condition, exists & (GroupItem.parent_id == parent_id))


def _stale(group_id: str) -> Conflict:
    return Conflict(
        "the group tree changed meanwhile; reload it and retry",
        code="group_tree_changed",
        details={"group_id": group_id},
    )


class _Edits:
    """At most one operation per item in a transaction: conditions and counter moves are
    gathered per group, then emitted as one update (or a condition check)."""

    def __init__(self) -> None:
        self.actions: dict[str, list[Action]] = {}
        self.conditions: dict[str, list[Condition]] = {}

    def guard(self, links: Mapping[str, str | None]) -> None:
        for gid, parent in links.items():
            self.conditions.setdefault(gid, []).append(_link(parent))

    def count(self, group_id: str, field: str, delta: int) -> None:
        attribute = GroupItem.children if field == "children" else GroupItem.resources
        self.actions.setdefault(group_id, []).append(attribute.add(delta))
        self.conditions.setdefault(group_id, []).append(GroupItem.PK.exists())

    def emit(self, tx: Tx) -> None:
        for gid in sorted(set(self.actions) | set(self.conditions)):
            cond = reduce(lambda a, b: a & b, self.conditions.get(gid, [GroupItem.PK.exists()]))
            label = f"group:{gid}"
            if gid in self.actions:
                tx.update(_key(gid), self.actions[gid], cond, label)
            else:
                tx.check(GroupItem, GROUPS_PK, group_sk(gid), cond, label)
            tx.on_fail(label, lambda gid=gid: _stale(gid))  # type: ignore[misc]


def plan_resource_move(tx: Tx, old_group: str | None, new_group: str | None) -> None:
    """A resource leaving `old_group` for `new_group`: both counters, in the resource's own
    transaction; the new group must exist (404 `group_not_found` otherwise)."""
    if old_group == new_group:
        return
    if old_group is not None:
        tx.update(
            _key(old_group), [GroupItem.resources.add(-1)], GroupItem.PK.exists(), "old_group"
        )
        tx.on_fail("old_group", lambda: _stale(old_group))
    if new_group is not None:
        tx.update(_key(new_group), [GroupItem.resources.add(1)], GroupItem.PK.exists(), "new_group")
        tx.on_fail("new_group", lambda: group_not_found(new_group))


class GroupStore:
    def tree(self) -> Tree:
        bind()
        items = GroupItem.query(GROUPS_PK, consistent_read=True)
        return Tree(_group(item) for item in items)

    def create(self, group: Group, guard: Mapping[str, str | None]) -> Group:
        tx, edits = Tx(), _Edits()
        tx.put(audit_stamp.stamp(_item(group)), GroupItem.PK.does_not_exist(), "group")
        tx.on_fail("group", lambda: Conflict("this group id is taken", code="group_exists"))
        edits.guard(guard)
        if group.parent_id is not None:
            edits.count(group.parent_id, "children", 1)
        edits.emit(tx)
        tx.commit()
        return group

    def update(self, old: Group, new: Group, guard: Mapping[str, str | None]) -> Group:
        """Rename or move: conditional on the group's version and on the links in `guard`."""
        stored = Group(**{**new.__dict__, "version": old.version + 1})
        tx, edits = Tx(), _Edits()
        # An update of the named fields only: the counters move in other transactions
        # (children added, resources assigned) that do not bump the version, so a whole-item
        # put would overwrite them with this snapshot's values.
        parent = (
            GroupItem.parent_id.remove()
            if stored.parent_id is None
            else GroupItem.parent_id.set(stored.parent_id)
        )
        actions = [
            GroupItem.name.set(stored.name),
            GroupItem.kind.set(stored.kind),
            GroupItem.description.set(stored.description),
            GroupItem.version.set(stored.version),
            parent,
            *audit_stamp.stamp_actions(),
        ]
        tx.update(_key(old.group_id), actions, GroupItem.version == old.version, "group")
        tx.on_fail("group", lambda: _stale(old.group_id))
        if old.parent_id != new.parent_id:
            edits.guard(guard)
            if old.parent_id is not None:
                edits.count(old.parent_id, "children", -1)
            if new.parent_id is not None:
                edits.count(new.parent_id, "children", 1)
        edits.emit(tx)
        tx.commit()
        return stored

    def delete(self, group: Group) -> None:
        """One transaction: the group (if still at its version and empty) and its parent's
        child counter. A stamp first, so the stream's REMOVE image names the deleter."""
        bind()
        try:
            _key(group.group_id).update(
                actions=audit_stamp.delete_stamp_actions(), condition=GroupItem.PK.exists()
            )
        except UpdateError as exc:
            raise group_not_found(group.group_id) from exc
        tx, edits = Tx(), _Edits()
        empty = (
            (GroupItem.version == group.version)
            & (GroupItem.children == 0)
            & (GroupItem.resources == 0)
        )
        tx.delete(_key(group.group_id), empty, "group")
        tx.on_fail("group", lambda: _not_empty(group))
        if group.parent_id is not None:
            edits.count(group.parent_id, "children", -1)
        edits.emit(tx)
        tx.commit()

    # --- group admins -----------------------------------------------------------------------

    def grant(self, user_id: str, group_id: str) -> None:
        bind()
        item = GrantItem(
            PK=grant_pk(user_id),
            SK=group_sk(group_id),
            GSI1PK=grants_of_group_pk(group_id),
            GSI1SK=user_id,
            user_id=user_id,
            group_id=group_id,
            role="group_admin",
        )
        tx = Tx()
        tx.put(audit_stamp.stamp(item), None, "grant")
        tx.check(GroupItem, GROUPS_PK, group_sk(group_id), GroupItem.PK.exists(), "group")
        tx.on_fail("group", lambda: group_not_found(group_id))
        tx.commit()

    def revoke(self, user_id: str, group_id: str) -> None:
        """Idempotent: revoking a grant that does not exist changes nothing."""
        bind()
        GrantItem(PK=grant_pk(user_id), SK=group_sk(group_id)).delete()

    def groups_administered_by(self, user_id: str) -> list[str]:
        bind()
        return [str(g.group_id) for g in GrantItem.query(grant_pk(user_id), consistent_read=True)]

    def admins_of(self, group_id: str) -> list[str]:
        bind()
        items = GrantItem.gsi1.query(grants_of_group_pk(group_id), limit=200)
        return [str(getattr(item, "user_id", "")) for item in items]


def _not_empty(group: Group) -> Conflict:
    return Conflict(
        "only an empty group can be deleted: move or delete its child groups and resources "
        "first (or it changed meanwhile)",
        code="group_not_empty",
        details={"group_id": group.group_id},
    )
