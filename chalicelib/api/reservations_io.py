"""Reservations CSV import (all or nothing, through the bulk booking path) and the paged
export (CSV or JSON; admins: everyone's, anyone else: their own). Issue 14."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.reservations import ReservationOut, ReservationPage, idempotency_key
from chalicelib.api.schemas.reservations_io import (
    ReservationExportQuery,
    ReservationImportOut,
    ReservationImportQuery,
)
from chalicelib.domain import acting
from chalicelib.domain.pipeline.lanes import BULK_LANE
from chalicelib.services.reservations.export import csv_page

bp = Blueprint(__name__)
TAGS = ("reservations", "bulk")
BASE = "/api/v1/bulk/reservations"
NEXT_CURSOR = "X-Next-Cursor"


@endpoint(
    bp,
    BASE + "/import",
    "POST",
    summary="Import reservations from CSV (all or nothing; dry run)",
    tags=TAGS,
    scope="reservations:write",
    query=ReservationImportQuery,
    response=ReservationImportOut,
    status=201,
    content_types=["text/csv"],
    description=(
        "Body: UTF-8 CSV (at most 1 MB and 1000 rows) with a header; columns `resource` (id "
        "or name), `start`, `end` (ISO 8601; without an offset read in `timezone`, else UTC), "
        "optional `timezone`, `title`, `notes`, `user` (id or username; only admins may name "
        "someone else). Every row is checked like a bulk booking (rules, rows of the file "
        "against each other, existing reservations, quotas, approvals: a resource that needs "
        "approval yields `pending_approval`). ALL OR NOTHING: with any problem nothing is "
        "booked: 422 `import_rejected`, `details.errors` = every problem with its 1-based "
        "`row`, file `line`, `column`, `code`, `message`. `?dry_run=true` answers 200 with the "
        "rows that would be booked and every problem, and writes nothing. More than 100 rows "
        "are written in chunks anchored by a batch; a chunk losing a race cancels the chunks "
        "written before it (409, nothing kept). `Idempotency-Key` works as for bulk bookings."
    ),
)
def import_reservations(ctx: RequestContext[None, ReservationImportQuery]) -> Reply:
    dry_run = ctx.query.dry_run
    key = None if dry_run else idempotency_key(ctx.header("idempotency-key"))
    with acting.in_lane(BULK_LANE):  # its events take the bulk lane, as the bulk booking's
        result = wiring.reservation_import().run(
            ctx.user, ctx.raw_body, dry_run=dry_run, idempotency_key=key
        )
    return Reply(ReservationImportOut.from_result(result), 200 if dry_run else 201)


@endpoint(
    bp,
    BASE + "/export",
    summary="Export reservations, page by page (CSV or JSON)",
    tags=TAGS,
    scope="reservations:read",
    query=ReservationExportQuery,
    response=ReservationPage,
    description=(
        "Admins export everyone's reservations, anyone else their own. Filters: `from`, `to`, "
        "`resource_id`, `status` (repeatable; default every status). Paged: at most `limit` "
        "(<= 1000) rows per answer; follow `next_cursor` (JSON) or the `X-Next-Cursor` header "
        "(CSV) until it is absent. CSV: the first page (no `cursor`) starts with the header, "
        "later pages do not, so the pages appended are one file; cells starting with = + - @ "
        "tab or CR are prefixed with ' (no spreadsheet formulas)."
    ),
)
def export_reservations(ctx: RequestContext[None, ReservationExportQuery]) -> Reply:
    q = ctx.query
    listing = wiring.reservation_export().page(ctx.user, q.to_query())
    headers = {NEXT_CURSOR: listing.next_cursor} if listing.next_cursor else {}
    if q.format == "json":
        names = listing.resource_names
        items = [ReservationOut.from_domain(r, names.get(r.resource_id)) for r in listing.items]
        return Reply(ReservationPage(items=items, next_cursor=listing.next_cursor), 200, headers)
    body = csv_page(listing, header=q.cursor is None)
    headers["Content-Type"] = "text/csv; charset=utf-8"
    headers["Content-Disposition"] = 'attachment; filename="reservations.csv"'
    return Reply(body, 200, headers)
