"""Locations: a tree of resource groups (site > building > floor > zone, any kinds, any names).

Pure rules over a snapshot of the whole tree (it is small: at most `MAX_GROUPS` groups, read
in one query). The store makes a move safe against concurrent moves by conditioning the
transaction on the parent links this module's answer depended on (see `move_guard`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound

MAX_DEPTH = 8  # a root group is at depth 1
MAX_GROUPS = 500
MAX_NAME = 100
KINDS = ("site", "building", "floor", "zone", "room", "other")


@dataclass(frozen=True)
class Group:
    group_id: str
    name: str
    kind: str = "other"
    parent_id: str | None = None
    description: str = ""
    children: int = 0  # direct child groups (kept by the store's transactions)
    resources: int = 0  # resources assigned directly to this group
    version: int = 0


@dataclass(frozen=True)
class GroupNode:
    group: Group
    children: tuple[GroupNode, ...]


def group_not_found(group_id: str) -> NotFound:
    return NotFound(
        f"group '{group_id}' does not exist",
        code="group_not_found",
        details={"group_id": group_id},
    )


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            f"a group name has 1 to {MAX_NAME} characters",
            code="invalid_group",
            details=[{"field": "name", "message": "1 to 100 characters"}],
        )
    return name


def clean_kind(raw: str) -> str:
    if raw not in KINDS:
        raise InvalidInput(
            "kind must be one of " + ", ".join(KINDS),
            code="invalid_group",
            details=[{"field": "kind", "message": "one of " + ", ".join(KINDS)}],
        )
    return raw


class Tree:
    """A snapshot of every group, indexed by id."""

    def __init__(self, groups: Iterable[Group]) -> None:
        self.groups: dict[str, Group] = {g.group_id: g for g in groups}
        self._children: dict[str | None, list[Group]] = {}
        for g in self.groups.values():
            self._children.setdefault(g.parent_id, []).append(g)
        for siblings in self._children.values():
            siblings.sort(key=lambda g: (g.name.casefold(), g.group_id))

    def get(self, group_id: str) -> Group:
        group = self.groups.get(group_id)
        if group is None:
            raise group_not_found(group_id)
        return group

    def ancestors(self, group_id: str) -> list[Group]:
        """From the root down to `group_id` itself (a broken link stops the walk)."""
        chain: list[Group] = []
        current = self.groups.get(group_id)
        while current is not None and len(chain) <= MAX_GROUPS:
            chain.append(current)
            current = self.groups.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    def depth(self, group_id: str) -> int:
        return len(self.ancestors(group_id))

    def subtree_ids(self, group_id: str) -> list[str]:
        """The group and every descendant, breadth first."""
        found, frontier = [group_id], [group_id]
        while frontier:
            nxt = [c.group_id for gid in frontier for c in self._children.get(gid, [])]
            found += nxt
            frontier = nxt
        return found

    def height(self, group_id: str) -> int:
        """Levels in the subtree rooted here (a leaf: 1)."""
        kids = self._children.get(group_id, [])
        return 1 + max((self.height(c.group_id) for c in kids), default=0)

    def nodes(self, parent_id: str | None = None) -> tuple[GroupNode, ...]:
        return tuple(
            GroupNode(g, self.nodes(g.group_id)) for g in self._children.get(parent_id, [])
        )

    def check_parent(self, parent_id: str | None, moving: str | None = None) -> None:
        """A new parent exists, is not inside the moving subtree, and depth stays bounded."""
        if parent_id is None:
            depth = 0
        else:
            self.get(parent_id)
            chain = [g.group_id for g in self.ancestors(parent_id)]
            if moving is not None and moving in chain:
                raise Conflict(
                    "a group cannot move under itself or one of its descendants",
                    code="group_cycle",
                    details={"group_id": moving, "parent_id": parent_id},
                )
            depth = len(chain)
        height = self.height(moving) if moving is not None else 1
        if depth + height > MAX_DEPTH:
            raise InvalidInput(
                f"groups nest at most {MAX_DEPTH} levels deep",
                code="group_too_deep",
                details={"max_depth": MAX_DEPTH, "parent_id": parent_id},
            )


def move_guard(tree: Tree, parent_id: str | None) -> Mapping[str, str | None]:
    """The parent links a move under `parent_id` relied on: each ancestor of the new parent
    (itself included) -> its parent. A concurrent move can only create a cycle with ours by
    changing one of these links, so conditioning the write on them makes racing moves serialise
    (the loser gets a conflict and re-checks)."""
    if parent_id is None:
        return {}
    return {g.group_id: g.parent_id for g in tree.ancestors(parent_id)}
