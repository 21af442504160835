"""Operations over many resources: tag rename/delete and the all-or-nothing CSV import."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.csv_import import decode_csv, parse_resources_csv
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.services.catalog.resources import require_writer
from chalicelib.store.catalog import importer as resource_import
from chalicelib.store.catalog.repository import ResourceStore

# One request rewrites at most this many resources; the answer says whether it finished, and
# repeating the request continues (each step is idempotent).
TAG_BUDGET = 500
_MEMBER_PAGE = 25
_RETRIES = 5


@dataclass(frozen=True)
class TagChange:
    updated: int
    complete: bool


@dataclass(frozen=True)
class ImportResult:
    resource_ids: list[str]


class ResourceBulkService:
    def __init__(self, repository: ResourceStore, clock: Clock, ids: IdFactory) -> None:
        self._repo = repository
        self._clock = clock
        self._ids = ids

    # --- tags -------------------------------------------------------------------------------

    def tags(
        self, actor: Principal, limit: int, cursor: str | None
    ) -> tuple[list[tuple[str, int]], str | None]:
        return self._repo.tag_page(limit, cursor)

    def rename_tag(self, actor: Principal, old: str, new: str) -> TagChange:
        require_writer(actor)
        source = catalog.clean_tag(old, field_name="from")
        target = catalog.clean_tag(new, field_name="to")
        if source == target:
            raise InvalidInput("'from' and 'to' are the same tag", code="same_tag")
        return self._retag_all(source, target)

    def delete_tag(self, actor: Principal, tag: str) -> TagChange:
        require_writer(actor)
        return self._retag_all(catalog.clean_tag(tag), None)

    def _retag_all(self, old: str, new: str | None) -> TagChange:
        if self._repo.tag_count(old) <= 0:
            raise NotFound(f"no resource has the tag '{old}'", code="tag_not_found")
        seen: set[str] = set()
        while len(seen) < TAG_BUDGET:
            batch = [rid for rid in self._repo.tag_members(old, _MEMBER_PAGE) if rid not in seen]
            if not batch:
                self._repo.forget_tag_if_unused(old)
                return TagChange(updated=len(seen), complete=True)
            for resource_id in batch:
                self._retag_one(resource_id, old, new)
                seen.add(resource_id)
        return TagChange(updated=len(seen), complete=False)

    def _retag_one(self, resource_id: str, old: str, new: str | None) -> None:
        """Conditional on the version read; a concurrent edit means read again and redo."""
        for _ in range(_RETRIES):
            resource = self._repo.find(resource_id)
            if resource is None or old not in resource.tags:
                return
            tags = catalog.retag(resource.tags, old, new)
            try:
                self._repo.save(
                    resource, replace(resource, tags=tags, updated_at=self._clock.now())
                )
                return
            except Conflict as exc:
                if exc.code != "version_conflict":
                    raise
        raise Conflict("the resource kept changing; retry", code="write_conflict")

    # --- CSV import -------------------------------------------------------------------------

    def import_csv(self, actor: Principal, body: bytes) -> ImportResult:
        """Validate every row, then write all rows or none (see store.resource_import)."""
        require_writer(actor)
        parsed = parse_resources_csv(decode_csv(body))
        if parsed.errors:
            raise InvalidInput(
                f"{len({e.row for e in parsed.errors})} row(s) are invalid; nothing was imported",
                code="csv_invalid",
                details={"errors": [e.as_dict() for e in parsed.errors]},
            )
        taken = self._repo.names_taken([row.draft.name for row in parsed.rows])
        clashes = [row for row in parsed.rows if row.draft.name in taken]
        if clashes:
            raise Conflict(
                f"{len(clashes)} name(s) already exist; nothing was imported",
                code="csv_name_conflict",
                details={
                    "errors": [
                        {"row": r.row, "line": r.line, "field": "name", "message": "name taken"}
                        for r in clashes
                    ]
                },
            )
        now = self._clock.now()
        resources = [
            catalog.new_resource(row.draft, self._ids.new_id(), now) for row in parsed.rows
        ]
        resource_import.import_all(self._repo, resources)
        return ImportResult([r.resource_id for r in resources])
