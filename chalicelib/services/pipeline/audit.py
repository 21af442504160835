"""Audit log use cases: record (worker), query and export (admins), my activity, retention."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from chalicelib.domain.clock import Clock
from chalicelib.domain.csv_cells import csv_line
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.pipeline.audit import AuditEntry, AuditFilter
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.pipeline.audit import AuditStore

EXPORT_MAX_ROWS = 10_000
EXPORT_PAGE = 100
CSV_COLUMNS = (
    "entry_id",
    "at",
    "actor_id",
    "channel",
    "client_ip",
    "correlation_id",
    "entity_type",
    "entity_id",
    "action",
    "changes",
)


class AuditService:
    def __init__(
        self, store: AuditStore, clock: Clock, cursors: CursorCodec, *, retention_days: int
    ) -> None:
        self._store = store
        self._clock = clock
        self._cursors = cursors
        self._retention = timedelta(days=retention_days)

    # --- the worker ---------------------------------------------------------------------------

    def record(self, event: DomainEvent) -> bool:
        entry = _entry(event)
        return self._store.add(entry, expires_at=entry.at + self._retention)

    def record_many(self, events: Sequence[DomainEvent]) -> int:
        """`record` for a batch (the bulk lane, issue 16): few transactions, each entry still
        written and counted once. Returns how many were written now."""
        entries = [_entry(event) for event in events]
        return self._store.add_many([(e, e.at + self._retention) for e in entries])

    # --- queries ------------------------------------------------------------------------------

    def page(
        self, principal: Principal, spec: AuditFilter, *, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        require_admin(principal)
        return self._page(spec, limit, cursor)

    def my_activity(
        self, principal: Principal, spec: AuditFilter, *, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        mine = AuditFilter(**{**asdict(spec), "actor_id": principal.subject_id})
        return self._page(mine, limit, cursor)

    def _page(
        self, spec: AuditFilter, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        _check_range(spec)
        scope = _scope(spec)
        items, state = self._store.page(
            spec, limit=limit, start=self._cursors.decode(cursor, scope=scope)
        )
        return items, self._cursors.encode(state, scope=scope)

    def get(self, principal: Principal, entry_id: str) -> AuditEntry:
        require_admin(principal)
        entry = self._store.get(entry_id) if len(entry_id) == 26 else None
        if entry is None:
            raise NotFound("no such audit entry", code="audit_entry_not_found")
        return entry

    # --- exports ------------------------------------------------------------------------------

    def export_json(self, principal: Principal, spec: AuditFilter) -> Iterator[str]:
        """A JSON array, produced page by page (at most EXPORT_MAX_ROWS entries)."""
        require_admin(principal)
        _check_range(spec)
        yield "["
        for n, entry in enumerate(self._entries(spec)):
            yield ("," if n else "") + json.dumps(entry.to_dict(), sort_keys=True, default=str)
        yield "]"

    def export_csv(self, principal: Principal, spec: AuditFilter) -> Iterator[str]:
        require_admin(principal)
        _check_range(spec)
        yield _csv_line(CSV_COLUMNS)
        for entry in self._entries(spec):
            row = entry.to_dict()
            row["changes"] = json.dumps(row["changes"], sort_keys=True, default=str)
            yield _csv_line(tuple(str(row[c]) for c in CSV_COLUMNS))

    def _entries(self, spec: AuditFilter) -> Iterator[AuditEntry]:
        return self._store.iterate(spec, page_size=EXPORT_PAGE, max_rows=EXPORT_MAX_ROWS)

    # --- retention ----------------------------------------------------------------------------

    def apply_retention(self, *, limit: int = 5000) -> int:
        return self._store.delete_older_than(self._clock.now() - self._retention, limit=limit)


def _entry(event: DomainEvent) -> AuditEntry:
    try:
        return AuditEntry.from_dict(event.data)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not an audit entry: {exc}") from exc


def _check_range(spec: AuditFilter) -> None:
    if spec.since and spec.until and spec.since > spec.until:
        raise InvalidInput("'since' must not be after 'until'", code="invalid_range")
    if bool(spec.entity_type) != bool(spec.entity_id) and spec.entity_id:
        raise InvalidInput("entity_id needs entity_type", code="invalid_filter")


def _scope(spec: AuditFilter) -> str:
    """Bind a cursor to the filter it was made for."""
    parts = [
        str(v) if not isinstance(v, datetime) else v.isoformat() for v in asdict(spec).values()
    ]
    return "audit:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _csv_line(values: tuple[str, ...]) -> str:
    # Cells that a spreadsheet would run as a formula are neutralised (domain/csv_cells.py).
    return csv_line(values)
