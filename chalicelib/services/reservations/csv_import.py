"""Import reservations from CSV: parsing plus the bulk booking path, all or nothing.

1. Every row is parsed (domain/reservations/csv_import.py); resources are found by name or
   id, `user` cells resolved (admins only may name someone else).
2. Every parsed row is evaluated like a bulk item (services/reservations/bulk_checks.py):
   booking rules, overlaps between rows of the file, the table's occupants, and (dry run)
   the quotas. Every problem of every row is reported at once; with any problem nothing is
   written (422 `import_rejected`, `details.errors`: row, line, column, code, message).
3. The rows are written by BulkService.create (the one BookingWriter, approvals and quotas
   as for any bulk booking): one transaction when they fit, else an anchored batch written
   in chunks whose already-written chunks are cancelled again if a later chunk loses a race,
   so a file is booked whole or not at all (a crash mid-way is rolled back by the recovery
   job). The bulk path re-evaluates the rows itself, so a race after step 2 is still caught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.csv_rows import RowError, decode_csv
from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from chalicelib.domain.reservations.bulk import ItemError
from chalicelib.domain.reservations.csv_import import ImportRow, parse_reservations_csv
from chalicelib.services.quotas.gate import plans_or_refuse
from chalicelib.services.reservations.booking import BookingDeps, initial_status
from chalicelib.services.reservations.bulk import BulkService
from chalicelib.services.reservations.bulk_checks import (
    BulkItem,
    BulkRequest,
    Evaluation,
    evaluate,
)
from chalicelib.services.reservations.import_ports import ResourceNames, UserDirectory

MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class RowProblem:
    row: int
    line: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class PlannedRow:
    """A row that is (dry run: would be) booked."""

    row: int
    resource_id: str
    user_id: str
    window: TimeRange
    status: ReservationStatus
    reservation: Reservation | None = None


@dataclass(frozen=True)
class ImportResult:
    dry_run: bool
    rows: list[PlannedRow]
    errors: list[RowProblem] = field(default_factory=list)
    batch_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class ReservationImport:
    def __init__(
        self, deps: BookingDeps, bulk: BulkService, names: ResourceNames, users: UserDirectory
    ) -> None:
        self._deps = deps
        self._bulk = bulk
        self._names = names
        self._users = users

    def run(
        self,
        principal: Principal,
        body: bytes,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
    ) -> ImportResult:
        parsed = parse_reservations_csv(decode_csv(body))
        errors = [_problem(e, "invalid_value") for e in parsed.errors]
        rows, items = self._items(principal, parsed.rows, errors)
        now = self._deps.clock.now()
        evaluation = evaluate(
            self._deps.catalog,
            self._deps.rules,
            principal,
            BulkRequest(tuple(items)),
            now,
            occupants=self._deps.reservations.occupants,
        )
        errors += [_item_problem(rows, i, e) for i, e in sorted(evaluation.errors.items())]
        errors.sort(key=lambda p: (p.row, p.column))
        if errors and not dry_run:
            raise _rejected(errors)
        planned = _planned(rows, items, evaluation)
        if dry_run:
            if not errors:
                errors += self._quota_problems(principal, evaluation, now)
            return ImportResult(True, planned, errors)
        result = self._bulk.create(principal, BulkRequest(tuple(items)), idempotency_key)
        booked = [
            PlannedRow(p.row, p.resource_id, p.user_id, p.window, r.status, r)
            for p, r in zip(planned, result.reservations, strict=True)
        ]
        return ImportResult(False, booked, batch_id=result.batch.batch_id if result.batch else None)

    def _items(
        self, principal: Principal, rows: Sequence[ImportRow], errors: list[RowProblem]
    ) -> tuple[list[ImportRow], list[BulkItem]]:
        """Rows whose resource and user resolve, as bulk items (the others become errors)."""
        ids = self._names.ids_by_name({r.resource for r in rows})
        owners = self._owners(principal, {r.user for r in rows if r.user})
        kept: list[ImportRow] = []
        items: list[BulkItem] = []
        for row in rows:
            resource_id = ids.get(row.resource, row.resource)
            owner = owners.get(row.user) if row.user else principal.subject_id
            if len(resource_id) > MAX_ID_LENGTH:
                errors.append(_at(row, "resource", "resource_not_found", "no such resource"))
            elif owner is None:
                errors.append(_owner_problem(row, principal))
            else:
                kept.append(row)
                items.append(BulkItem(resource_id, row.start, row.end, row.notes, owner))
        return kept, items

    def _owners(self, principal: Principal, named: set[str]) -> dict[str, str]:
        """`user` cell -> user id; the caller may always name themselves, only an admin others."""
        found: dict[str, str] = {}
        for value in named:
            if value in (principal.subject_id, principal.username):
                found[value] = principal.subject_id
            elif principal.is_admin and len(value) <= MAX_ID_LENGTH:
                user = self._users.get(value) or self._users.find_by_username(value)
                if user is not None and not user.disabled:
                    found[value] = user.user_id
        return found

    def _quota_problems(
        self, principal: Principal, evaluation: Evaluation, now: Any
    ) -> list[RowProblem]:
        """The dry run also asks the quotas (the write path checks them itself)."""
        wanted = [
            (evaluation.contexts[rid].resource, window)
            for rid, window in zip(evaluation.resource_ids, evaluation.windows, strict=True)
            if window is not None
        ]
        try:
            plans_or_refuse(self._deps.quotas, principal, wanted, now)
        except RuleViolation as exc:
            return [RowProblem(0, 0, "", exc.code, exc.message)]
        return []


def _planned(
    rows: Sequence[ImportRow], items: Sequence[BulkItem], evaluation: Evaluation
) -> list[PlannedRow]:
    planned = []
    for index, (row, item) in enumerate(zip(rows, items, strict=True)):
        window = evaluation.windows[index]
        context = evaluation.contexts.get(item.resource_id)
        if index in evaluation.errors or window is None or context is None:
            continue
        owner = item.user_id or ""
        planned.append(
            PlannedRow(row.row, item.resource_id, owner, window, initial_status(context.resource))
        )
    return planned


def _problem(error: RowError, code: str) -> RowProblem:
    return RowProblem(error.row, error.line, error.field, code, error.message)


def _at(row: ImportRow, column: str, code: str, message: str) -> RowProblem:
    return RowProblem(row.row, row.line, column, code, message)


def _owner_problem(row: ImportRow, principal: Principal) -> RowProblem:
    if principal.is_admin:
        return _at(row, "user", "user_not_found", "no such (enabled) user id or username")
    return _at(row, "user", "not_allowed", "only an admin may import reservations for others")


def _item_problem(rows: Sequence[ImportRow], index: int, error: ItemError) -> RowProblem:
    column = "resource" if error.code.startswith("resource") else "start,end"
    message = error.message
    if error.overlaps_with:
        others = ", ".join(str(rows[i].row) for i in error.overlaps_with)
        message = f"overlaps row(s) {others} of this file on the same resource"
    return _at(rows[index], column, error.code, message)


def _rejected(errors: list[RowProblem]) -> RuleViolation:
    count = len({p.row for p in errors})
    return RuleViolation(
        f"{count} row(s) cannot be booked; nothing was imported",
        code="import_rejected",
        details={"errors": [p.as_dict() for p in errors]},
    )
