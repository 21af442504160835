"""Locations use cases: the group tree, moves, resource assignment, group-scoped admins.

Reads are for every signed-in principal; structure changes and grants are for administrators.
A group admin (grant user -> group, role `group_admin`) administers the resources in that
group's subtree: edit them and move them between groups of the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from chalicelib.domain.catalog.groups import (
    MAX_GROUPS,
    Group,
    GroupNode,
    Tree,
    clean_kind,
    clean_name,
    move_guard,
)
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.services.catalog.resources import require_writer

_MOVE_ATTEMPTS = 3
UNSET = "\x00unset"  # "parent_id not sent" (None means: make it a root)


class GroupPort(Protocol):
    def tree(self) -> Tree: ...
    def create(self, group: Group, guard: dict[str, str | None]) -> Group: ...
    def update(self, old: Group, new: Group, guard: dict[str, str | None]) -> Group: ...
    def delete(self, group: Group) -> None: ...
    def grant(self, user_id: str, group_id: str) -> None: ...
    def revoke(self, user_id: str, group_id: str) -> None: ...
    def groups_administered_by(self, user_id: str) -> list[str]: ...
    def admins_of(self, group_id: str) -> list[str]: ...


class ResourcePort(Protocol):
    def get(self, resource_id: str) -> Resource: ...
    def save(self, old: Resource, new: Resource) -> Resource: ...


@dataclass(frozen=True)
class GroupDetail:
    group: Group
    ancestors: list[Group]  # root first, the group itself excluded
    children: list[Group]


@dataclass(frozen=True)
class GroupEdit:
    name: str | None = None
    kind: str | None = None
    description: str | None = None
    parent_id: str | None = UNSET


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden("this action is for administrators", code="admin_required")


class GroupService:
    def __init__(
        self, groups: GroupPort, resources: ResourcePort, clock: Clock, ids: IdFactory
    ) -> None:
        self._groups = groups
        self._resources = resources
        self._clock = clock
        self._ids = ids

    # --- reads ------------------------------------------------------------------------------

    def tree(self) -> tuple[GroupNode, ...]:
        return self._groups.tree().nodes()

    def flat(self) -> list[Group]:
        tree = self._groups.tree()
        return sorted(tree.groups.values(), key=lambda g: (g.name.casefold(), g.group_id))

    def get(self, group_id: str) -> GroupDetail:
        tree = self._groups.tree()
        group = tree.get(group_id)
        kids = [n.group for n in tree.nodes(group_id)]
        return GroupDetail(group, tree.ancestors(group_id)[:-1], kids)

    def ancestors_of_resource(self, resource_id: str) -> list[Group]:
        """Root first, down to the resource's own group; [] when ungrouped. The port the
        quota scopes use ("which groups is resource X in")."""
        resource = self._resources.get(resource_id)
        if resource.group_id is None:
            return []
        return self._groups.tree().ancestors(resource.group_id)

    def resolve(self, query: ResourceQuery) -> ResourceQuery:
        """Turn `group` into the subtree's ids for the store's filter (404 if unknown)."""
        if not query.group:
            return query
        tree = self._groups.tree()
        tree.get(query.group)
        return replace(query, group_ids=tuple(tree.subtree_ids(query.group)))

    # --- structure (administrators) ---------------------------------------------------------

    def create(
        self,
        actor: Principal,
        name: str,
        kind: str,
        parent_id: str | None,
        description: str = "",
    ) -> Group:
        _require_admin(actor)
        group = Group(
            group_id=self._ids.new_id(),
            name=clean_name(name),
            kind=clean_kind(kind),
            parent_id=parent_id,
            description=description.strip(),
        )
        for attempt in range(_MOVE_ATTEMPTS):
            tree = self._groups.tree()
            if len(tree.groups) >= MAX_GROUPS:
                raise Conflict(
                    f"there are already {MAX_GROUPS} groups (the documented limit)",
                    code="too_many_groups",
                    details={"max_groups": MAX_GROUPS},
                )
            tree.check_parent(parent_id)
            try:
                return self._groups.create(group, dict(move_guard(tree, parent_id)))
            except Conflict as exc:
                if exc.code != "group_tree_changed" or attempt == _MOVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def update(
        self, actor: Principal, group_id: str, edit: GroupEdit, version: int | None
    ) -> Group:
        """Rename and/or move; a move re-checks on a fresh tree when a racing move wins."""
        _require_admin(actor)
        for attempt in range(_MOVE_ATTEMPTS):
            tree = self._groups.tree()
            old = tree.get(group_id)
            if version is not None and version != old.version:
                raise Conflict(
                    f"the group is at version {old.version}, not {version}",
                    code="version_conflict",
                    details={"group_id": group_id, "version": old.version},
                )
            new = self._edited(old, edit)
            if new.parent_id != old.parent_id:
                tree.check_parent(new.parent_id, moving=group_id)
            try:
                return self._groups.update(old, new, dict(move_guard(tree, new.parent_id)))
            except Conflict as exc:
                if exc.code != "group_tree_changed" or attempt == _MOVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _edited(old: Group, edit: GroupEdit) -> Group:
        parent = old.parent_id if edit.parent_id == UNSET else edit.parent_id
        return replace(
            old,
            name=old.name if edit.name is None else clean_name(edit.name),
            kind=old.kind if edit.kind is None else clean_kind(edit.kind),
            description=old.description if edit.description is None else edit.description,
            parent_id=parent,
        )

    def delete(self, actor: Principal, group_id: str) -> None:
        _require_admin(actor)
        group = self._groups.tree().get(group_id)
        self._groups.delete(group)

    # --- resources in groups ----------------------------------------------------------------

    def assign(self, actor: Principal, resource_id: str, group_id: str | None) -> Resource:
        """Put a resource in a group (None: ungroup it). Admins anywhere; a group admin only
        from and to groups inside the subtrees they administer."""
        if not (actor.is_admin or actor.is_client or self.has_any_grant(actor)):
            require_writer(actor)  # 403 before any read: nothing leaks to plain users
        tree = self._groups.tree()
        if group_id is not None:
            tree.get(group_id)
        self._require_group_admin(actor, tree, [group_id])
        resource = self._resources.get(resource_id)
        self._require_group_admin(actor, tree, [resource.group_id])
        if resource.group_id == group_id:
            return resource
        now = self._clock.now()
        return self._resources.save(resource, replace(resource, group_id=group_id, updated_at=now))

    def unassign(self, actor: Principal, resource_id: str, group_id: str) -> Resource:
        """Take the resource out of `group_id` (404 if it is not in that group)."""
        if not (actor.is_admin or actor.is_client or self.has_any_grant(actor)):
            require_writer(actor)
        resource = self._resources.get(resource_id)
        if resource.group_id != group_id:
            raise NotFound(
                f"resource '{resource_id}' is not in group '{group_id}'",
                code="resource_not_in_group",
                details={"resource_id": resource_id, "group_id": group_id},
            )
        return self.assign(actor, resource_id, None)

    # --- group-scoped administration --------------------------------------------------------

    def may_administer(self, actor: Principal, resource: Resource) -> bool:
        tree = self._groups.tree()
        try:
            self._require_group_admin(actor, tree, [resource.group_id])
        except Forbidden:
            return False
        return True

    def has_any_grant(self, actor: Principal) -> bool:
        return not actor.is_client and bool(self._groups.groups_administered_by(actor.subject_id))

    def _require_group_admin(self, actor: Principal, tree: Tree, groups: list[str | None]) -> None:
        if actor.is_admin or actor.can("resources:write"):  # incl. custom roles (roles14)
            return
        if actor.is_client or actor.is_read_only:
            require_writer(actor)
        mine = set(self._groups.groups_administered_by(actor.subject_id))
        for gid in groups:
            chain = {g.group_id for g in tree.ancestors(gid)} if gid else set()
            if not mine & chain:
                raise Forbidden(
                    "you administer resources only inside the groups granted to you",
                    code="admin_required",
                    details={"group_id": gid},
                )

    def grant(self, actor: Principal, group_id: str, user_id: str) -> None:
        _require_admin(actor)
        if not user_id.strip():
            raise InvalidInput("user_id is required", code="invalid_grant")
        self._groups.grant(user_id, group_id)

    def revoke(self, actor: Principal, group_id: str, user_id: str) -> None:
        _require_admin(actor)
        self._groups.revoke(user_id, group_id)

    def admins(self, actor: Principal, group_id: str) -> list[str]:
        _require_admin(actor)
        self._groups.tree().get(group_id)
        return self._groups.admins_of(group_id)
