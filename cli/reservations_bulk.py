"""`rr reservations bulk FILE` and `rr reservations bulk-cancel ID...` (registered on the
`reservations` group in cli/reservations.py)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from cli import denials
from cli.client import ApiError, CliError
from cli.context import AppState, JsonOpt, TzOpt, YesOpt, require, state
from cli.lookup import resource_id
from cli.output import Column
from cli.timeparse import to_api

_KEYS = {
    "resource": "resource_id",
    "resource_id": "resource_id",
    "start": "start_time",
    "start_time": "start_time",
    "end": "end_time",
    "end_time": "end_time",
    "notes": "notes",
}
ITEM_COLUMNS = [
    Column("index", "#"),
    Column("resource_id", "resource"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("result", "result"),
]
CANCEL_COLUMNS = [Column("reservation_id", "id"), Column("outcome", "outcome")]


def read_rows(path: Path) -> list[dict[str, str]]:
    """CSV with a header (resource,start,end[,notes]) or JSON (a list, or {"items": [...]})."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CliError(f"{path} is not valid JSON: {exc}") from exc
        rows: Any = data.get("items") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise CliError("the JSON file must hold a list of items")
        raw = [r for r in rows if isinstance(r, dict)]
    else:
        raw = list(csv.DictReader(io.StringIO(text)))
    items = []
    for number, row in enumerate(raw, start=1):
        item = {
            _KEYS[k.strip().lower()]: str(v).strip()
            for k, v in row.items()
            if k and v and k.strip().lower() in _KEYS
        }
        require(
            {"resource_id", "start_time", "end_time"} <= set(item),
            f"item {number}: resource, start and end are required",
        )
        items.append(item)
    require(0 < len(items) <= 100, "give 1 to 100 items")
    return items


def to_request(st: AppState, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Resource names -> ids (one lookup per distinct name), typed times -> ISO with offset."""
    ids: dict[str, str] = {}
    items = []
    for row in rows:
        ref = row["resource_id"]
        if ref not in ids:
            ids[ref] = resource_id(st.client, ref)
        item: dict[str, Any] = {
            "resource_id": ids[ref],
            "start_time": to_api(st.moment(row["start_time"])),
            "end_time": to_api(st.moment(row["end_time"])),
        }
        if row.get("notes"):
            item["notes"] = row["notes"]
        items.append(item)
    return items


def _result_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        error = item.get("error") or {}
        result = "ok" if item.get("ok") else f"{error.get('code')}: {error.get('message')}"
        if error.get("overlaps_with"):
            result += f" (items {', '.join(str(i) for i in error['overlaps_with'])})"
        rows.append({**item, "result": result})
    return rows


def bulk(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (resource,start,end[,notes]) or JSON file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every item; book nothing.")
    ] = False,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Book many windows at once: every one of them, or none."""
    st = state(ctx)
    st.use_tz(tz)
    require(file.is_file(), f"no such file: {file}")
    body = {"items": to_request(st, read_rows(file)), "dry_run": dry_run}
    try:
        answer = st.client.post(
            "reservations/bulk", json=body, idempotency_key=None if dry_run else str(uuid.uuid4())
        )
    except ApiError as exc:
        failed = (exc.details or {}).get("items") if isinstance(exc.details, dict) else None
        if failed and not as_json:
            for entry in failed:
                st.out.error(f"item {entry['index']}: {entry['code']}: {entry['message']}")
                for line in denials.alternative_lines(entry, st.out):  # Plan B (issue 13)
                    st.out.line(line)
        raise
    if as_json:
        st.out.json(answer)
        return
    title = "Dry run" if dry_run else f"Booked {len(answer.get('reservations', []))} reservations"
    st.out.table(_result_rows(answer["items"]), ITEM_COLUMNS, title=title)
    if dry_run and not answer.get("ok"):
        raise CliError("some items cannot be booked (nothing was booked)")


def bulk_cancel(
    ctx: typer.Context,
    reservations: Annotated[list[str], typer.Argument(help="Reservation ids (1-100).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Cancel several reservations; each is cancelled (or reported) on its own."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Cancel {len(reservations)} reservation(s)?", abort=True)
    answer = st.client.post(
        "reservations/bulk/cancel", json={"reservation_ids": reservations, "reason": reason}
    )
    if as_json:
        st.out.json(answer)
        return
    st.out.table(answer["results"], CANCEL_COLUMNS, title=f"Cancelled {answer['cancelled']}")
