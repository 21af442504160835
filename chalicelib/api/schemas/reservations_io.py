"""Request/response models of the reservations CSV import and export (issue 14)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict
from chalicelib.api.schemas.reservations import (
    QueryDatetime,
    ResourceId,
    StatusFilter,
    statuses,
)
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.csv_import import ImportResult, PlannedRow, RowProblem
from chalicelib.services.reservations.export import ExportQuery

EXPORT_PAGE_MAX = 1000


class ReservationImportQuery(Strict):
    dry_run: bool = Field(
        default=False, description="Check every row and report; book nothing, write nothing."
    )


class ReservationExportQuery(Strict):
    """Default: every status, from 30 days ago (admins: for one year, at most 366 days)."""

    format: Literal["csv", "json"] = "csv"
    from_: QueryDatetime | None = Field(default=None, alias="from")
    to: QueryDatetime | None = None
    resource_id: ResourceId | None = None
    status: list[StatusFilter] = Field(default_factory=list)
    limit: int = Field(default=500, ge=1, le=EXPORT_PAGE_MAX)
    cursor: str | None = Field(default=None, max_length=2048)

    def to_query(self) -> ExportQuery:
        chosen: frozenset[ReservationStatus] = statuses(self.status)
        return ExportQuery(self.from_, self.to, self.resource_id, chosen, self.limit, self.cursor)


class ReservationImportRowOut(BaseModel):
    row: int
    resource_id: str
    user_id: str
    start_time: str
    end_time: str
    status: ReservationStatus
    reservation_id: str | None = None

    @classmethod
    def from_row(cls, row: PlannedRow) -> ReservationImportRowOut:
        return cls(
            row=row.row,
            resource_id=row.resource_id,
            user_id=row.user_id,
            start_time=iso_z(row.window.start),
            end_time=iso_z(row.window.end),
            status=row.status,
            reservation_id=row.reservation.reservation_id if row.reservation else None,
        )


class ReservationImportErrorOut(BaseModel):
    row: int = Field(description="1-based data row (header not counted); 0: the whole file.")
    line: int
    column: str
    code: str
    message: str

    @classmethod
    def from_problem(cls, p: RowProblem) -> ReservationImportErrorOut:
        return cls(row=p.row, line=p.line, column=p.column, code=p.code, message=p.message)


class ReservationImportOut(BaseModel):
    dry_run: bool
    ok: bool
    imported: int = Field(description="Reservations booked (0 on a dry run).")
    rows: list[ReservationImportRowOut] = Field(description="What is (dry run: would be) booked.")
    errors: list[ReservationImportErrorOut] = Field(
        description="Dry run only: every row's problems."
    )
    batch_id: str | None = None

    @classmethod
    def from_result(cls, result: ImportResult) -> ReservationImportOut:
        return cls(
            dry_run=result.dry_run,
            ok=result.ok,
            imported=0 if result.dry_run else len(result.rows),
            rows=[ReservationImportRowOut.from_row(r) for r in result.rows],
            errors=[ReservationImportErrorOut.from_problem(p) for p in result.errors],
            batch_id=result.batch_id,
        )
