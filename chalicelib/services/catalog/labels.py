"""Label use cases: CRUD, categories, merge, a resource's labels.

Reads for every signed-in principal; changes for administrators (a resource's own labels also
for its group admins, through the resource service's check).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from chalicelib.domain.catalog.labels import (
    DEFAULT_COLOUR,
    MAX_LABELS,
    MAX_LABELS_PER_RESOURCE,
    Label,
    clean_colour,
    clean_part,
    label_not_found,
    split_name,
)
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.store.catalog.query import ResourcePage

MERGE_MAX_RESOURCES = 5000
_ATTEMPTS = 3


class LabelPort(Protocol):
    def all(self) -> list[Label]: ...
    def get(self, label_id: str) -> Label: ...
    def save(self, old: Label | None, new: Label) -> Label: ...
    def delete(self, label: Label) -> None: ...


class CarrierPort(Protocol):
    """The resources carrying a label, and their conditional writes (the resource store)."""

    def get(self, resource_id: str) -> Resource: ...
    def save(self, old: Resource, new: Resource) -> Resource: ...
    def list_page(
        self, filters: ResourceQuery, limit: int, cursor: str | None, *, now: datetime
    ) -> ResourcePage: ...


@dataclass(frozen=True)
class Category:
    category: str
    labels: int


@dataclass(frozen=True)
class MergeResult:
    target: Label
    moved: int
    complete: bool


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden("this action is for administrators", code="admin_required")


class LabelService:
    def __init__(
        self, labels: LabelPort, carriers: CarrierPort, clock: Clock, ids: IdFactory
    ) -> None:
        self._labels = labels
        self._carriers = carriers
        self._clock = clock
        self._ids = ids

    def find(self, category: str = "", q: str = "") -> list[Label]:
        needle = q.casefold()
        return [
            lb
            for lb in self._labels.all()
            if (not category or lb.category.casefold() == category.casefold())
            and (not needle or needle in lb.name.casefold())
        ]

    def categories(self) -> list[Category]:
        counts = Counter(lb.category for lb in self._labels.all())
        return [Category(c, n) for c, n in sorted(counts.items(), key=lambda kv: kv[0].casefold())]

    def get(self, label_id: str) -> Label:
        return self._labels.get(label_id)

    def create(
        self, actor: Principal, name: str, color: str | None, description: str = ""
    ) -> Label:
        _require_admin(actor)
        category, value = split_name(name)
        if len(self._labels.all()) >= MAX_LABELS:
            raise Conflict(f"at most {MAX_LABELS} labels", code="too_many_labels")
        label = Label(
            self._ids.new_id(),
            category,
            value,
            clean_colour(color or DEFAULT_COLOUR),
            description.strip(),
        )
        return self._labels.save(None, label)

    def update(
        self,
        actor: Principal,
        label_id: str,
        *,
        category: str | None,
        value: str | None,
        color: str | None,
        description: str | None,
    ) -> Label:
        _require_admin(actor)
        old = self._labels.get(label_id)
        new = replace(
            old,
            category=old.category if category is None else clean_part("category", category),
            value=old.value if value is None else clean_part("value", value),
            color=old.color if color is None else clean_colour(color),
            description=old.description if description is None else description.strip(),
        )
        return self._labels.save(old, new)

    def delete(self, actor: Principal, label_id: str) -> int:
        """Take the label off every resource (one conditional write each), then delete it."""
        _require_admin(actor)
        label = self._labels.get(label_id)
        moved, complete = self._move_all(label.label_id, None)
        if not complete:
            raise Conflict("too many resources carry this label; repeat", code="label_busy")
        self._labels.delete(label)
        return moved

    def merge(self, actor: Principal, source_id: str, target_id: str) -> MergeResult:
        """Every resource carrying `source` carries `target` instead (atomically per resource:
        each is one conditional write of that resource); then `source` is deleted. Repeating
        an interrupted merge finishes it."""
        _require_admin(actor)
        if source_id == target_id:
            raise InvalidInput("a label cannot merge into itself", code="invalid_merge")
        source = self._labels.get(source_id)
        target = self._labels.get(target_id)
        moved, complete = self._move_all(source.label_id, target.label_id)
        if complete:
            self._labels.delete(source)
        return MergeResult(target, moved, complete)

    def _move_all(self, source: str, target: str | None) -> tuple[int, bool]:
        query = ResourceQuery(labels=(source,))
        moved, cursor = 0, None
        while moved < MERGE_MAX_RESOURCES:
            page = self._carriers.list_page(query, 100, cursor, now=self._clock.now())
            for resource in page.items:
                self._swap(resource.resource_id, source, target)
                moved += 1
            cursor = page.next_cursor
            if cursor is None:
                return moved, True
        return moved, False

    def _swap(self, resource_id: str, source: str, target: str | None) -> None:
        for attempt in range(_ATTEMPTS):
            current = self._carriers.get(resource_id)
            kept = [lb for lb in current.labels if lb != source]
            if target is not None and target not in kept:
                kept.append(target)
            try:
                self._carriers.save(current, replace(current, labels=tuple(kept)))
                return
            except Conflict as exc:
                if exc.code != "version_conflict" or attempt == _ATTEMPTS - 1:
                    raise

    def checked_ids(self, label_ids: list[str]) -> tuple[str, ...]:
        """A resource's new label set: existing labels, no duplicates, bounded."""
        unique: list[str] = list(dict.fromkeys(label_ids))
        if len(unique) > MAX_LABELS_PER_RESOURCE:
            raise InvalidInput(
                f"a resource carries at most {MAX_LABELS_PER_RESOURCE} labels",
                code="invalid_label",
                details=[{"field": "label_ids", "message": "too many"}],
            )
        known = {lb.label_id for lb in self._labels.all()}
        for label_id in unique:
            if label_id not in known:
                raise label_not_found(label_id)
        return tuple(unique)

    def of(self, resource: Resource) -> list[Label]:
        by_id = {lb.label_id: lb for lb in self._labels.all()}
        return [by_id[i] for i in resource.labels if i in by_id]
