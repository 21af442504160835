"""Request and response models of locations (groups), labels and saved searches (catalog14)."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import PageQuery, Strict, UtcDatetime
from chalicelib.domain.catalog.groups import KINDS, Group, GroupNode
from chalicelib.domain.catalog.labels import Label
from chalicelib.domain.catalog.saved_search import SavedSearch

GroupKind = Literal["site", "building", "floor", "zone", "room", "other"]
assert set(KINDS) == set(get_args(GroupKind))

# --- groups ---------------------------------------------------------------------------------


class GroupCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: GroupKind = "other"
    parent_id: str | None = Field(default=None, min_length=1, max_length=64)
    description: str = Field(default="", max_length=500)


class GroupPatch(Strict):
    """Rename and/or move. `parent_id: null` makes it a root; omitted leaves it where it is."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: GroupKind | None = None
    description: str | None = Field(default=None, max_length=500)
    parent_id: str | None = Field(default=None, min_length=1, max_length=64)
    version: int | None = Field(default=None, ge=0)


class GroupListQuery(Strict):
    kind: GroupKind | None = None


class AssignIn(Strict):
    resource_id: str = Field(min_length=1, max_length=64)


class GroupOut(BaseModel):
    group_id: str
    name: str
    kind: str
    parent_id: str | None
    description: str
    children: int
    resources: int = Field(description="resources directly in this group")
    version: int

    @classmethod
    def of(cls, g: Group) -> GroupOut:
        return cls(**vars(g))


class GroupListOut(BaseModel):
    items: list[GroupOut]


class GroupDetailOut(BaseModel):
    group: GroupOut
    ancestors: list[GroupOut] = Field(description="root first, the group excluded")
    children: list[GroupOut]


class GroupNodeOut(BaseModel):
    group: GroupOut
    children: list[GroupNodeOut]

    @classmethod
    def of(cls, node: GroupNode) -> GroupNodeOut:
        return cls(group=GroupOut.of(node.group), children=[cls.of(c) for c in node.children])


class GroupTreeOut(BaseModel):
    roots: list[GroupNodeOut]
    max_depth: int
    max_groups: int


class AncestorsOut(BaseModel):
    resource_id: str
    ancestors: list[GroupOut] = Field(description="root first, down to the resource's group")


class GroupAdminsOut(BaseModel):
    group_id: str
    user_ids: list[str]


class GrantOut(BaseModel):
    group_id: str
    user_id: str
    role: str = "group_admin"


# --- labels ---------------------------------------------------------------------------------

_COLOUR = r"^#[0-9a-fA-F]{6}$"


class LabelCreate(Strict):
    name: str = Field(min_length=3, max_length=101, description="category:value")
    color: str | None = Field(default=None, pattern=_COLOUR)
    description: str = Field(default="", max_length=500)


class LabelUpdate(Strict):
    category: str | None = Field(default=None, min_length=1, max_length=50)
    value: str | None = Field(default=None, min_length=1, max_length=50)
    color: str | None = Field(default=None, pattern=_COLOUR)
    description: str | None = Field(default=None, max_length=500)


class LabelListQuery(Strict):
    category: str = Field(default="", max_length=50)
    q: str = Field(default="", max_length=100)


class LabelMergeIn(Strict):
    source_id: str = Field(min_length=1, max_length=64, description="disappears")
    target_id: str = Field(min_length=1, max_length=64, description="stays")


class ResourceLabelsIn(Strict):
    label_ids: list[str] = Field(max_length=20)


class LabelOut(BaseModel):
    label_id: str
    category: str
    value: str
    name: str
    color: str
    description: str

    @classmethod
    def of(cls, lb: Label) -> LabelOut:
        return cls(
            label_id=lb.label_id,
            category=lb.category,
            value=lb.value,
            name=lb.name,
            color=lb.color,
            description=lb.description,
        )


class LabelListOut(BaseModel):
    items: list[LabelOut]


class CategoryOut(BaseModel):
    category: str
    labels: int


class CategoryListOut(BaseModel):
    items: list[CategoryOut]


class MergeOut(BaseModel):
    target: LabelOut
    moved: int = Field(description="resources that carried the source label")
    complete: bool = Field(description="false: too many resources; repeat the merge")


class LabelDeletedOut(BaseModel):
    label_id: str
    removed_from: int


class ResourceLabelsOut(BaseModel):
    resource_id: str
    labels: list[LabelOut]


# --- saved searches and suggestions ---------------------------------------------------------


class SavedSearchIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="the resource list's query parameters (q, tags, group, labels, "
        "label_match, status, capacity_min, available_from, available_until, sort, order...)",
    )


class SavedSearchOut(BaseModel):
    search_id: str
    name: str
    filters: dict[str, Any]
    created_at: UtcDatetime

    @classmethod
    def of(cls, s: SavedSearch) -> SavedSearchOut:
        return cls(search_id=s.search_id, name=s.name, filters=s.filters, created_at=s.created_at)


class SavedSearchListOut(BaseModel):
    items: list[SavedSearchOut]


class SuggestQuery(Strict):
    q: str = Field(min_length=1, max_length=50)
    limit: int = Field(default=5, ge=1, le=10, description="per kind")


class SuggestionOut(BaseModel):
    kind: Literal["resource", "tag", "label", "group"]
    text: str
    id: str = Field(description="label or group id; empty for names and tags")


class SuggestionListOut(BaseModel):
    items: list[SuggestionOut]


RunQuery = PageQuery
