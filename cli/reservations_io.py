"""`rr reservations import FILE [--dry-run]` and `rr reservations export [-o FILE]` (issue 14;
registered on the `reservations` group in cli/reservations.py).

The import uploads the CSV as is (the server parses and checks every row) with a byte
progress bar, then waits for the booking; the export follows the server's pages (cursor
after cursor) into a file, so 100,000 rows are never one answer or one string in memory.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn

from cli.client import ApiError, CliError
from cli.context import AppState, JsonOpt, require, state
from cli.output import Column

IMPORT_PATH = "bulk/reservations/import"
EXPORT_PATH = "bulk/reservations/export"
CHUNK = 64 * 1024
ROW_COLUMNS = [
    Column("row", "row"),
    Column("resource_id", "resource"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("reservation_id", "id"),
]
ERROR_COLUMNS = [
    Column("row", "row"),
    Column("line", "line"),
    Column("column", "column"),
    Column("code", "code"),
    Column("message", "problem"),
]


Sent = Callable[[int], None]
Describe = Callable[[str], None]


class _Upload:
    """The file's bytes in chunks, reporting each one sent (re-iterable, so a resend after a
    token refresh starts over); `tell`/`seek` let httpx send a Content-Length, not chunks."""

    def __init__(self, body: bytes, sent: Callable[[int], None], done: Callable[[], None]) -> None:
        self._body = body
        self._sent = sent
        self._done = done  # all bytes are out: the server parses, checks and books now
        self._offset = 0

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._body), CHUNK):
            chunk = self._body[start : start + CHUNK]
            self._sent(len(chunk))
            yield chunk
        self._done()

    def tell(self) -> int:
        return self._offset

    def seek(self, offset: int, whence: int = 0) -> int:
        self._offset = len(self._body) if whence == 2 else offset
        return self._offset


@contextlib.contextmanager
def _progress(
    st: AppState, label: str, total: int
) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """A byte bar then a spinner while the server books, on a terminal; elsewhere one line."""
    if not st.out.err.is_terminal:
        st.out.err.print(f"{label} ({total} bytes)", style="dim")
        yield (lambda _n: None), (lambda _s: None)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    with Progress(*columns, console=st.out.err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield (
            lambda n: progress.advance(task, n),
            lambda text: progress.update(task, description=text),
        )


def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a header: resource,start,end[,timezone,title,notes,user].",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; book nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import reservations from CSV: every row is booked, or none (problems listed by row)."""
    st = state(ctx)
    body = file.read_bytes()
    key = None if dry_run else str(uuid.uuid4())  # a retried upload never books twice
    try:
        with _progress(st, f"uploading {file.name}", len(body)) as (sent, describe):
            upload = _Upload(body, sent, lambda: describe("checking and booking the rows"))
            answer = st.client.post(
                IMPORT_PATH,
                params={"dry_run": "true"} if dry_run else None,
                content=upload,
                headers={"Content-Type": "text/csv"},
                idempotency_key=key,
            )
    except ApiError as exc:
        _show_rejection(st, exc, as_json)
        raise typer.Exit(1) from None
    if as_json:
        st.out.json(answer)
    else:
        _show_result(st, answer)
    if dry_run and not answer.get("ok"):
        raise typer.Exit(1)


def _show_rejection(st: AppState, exc: ApiError, as_json: bool) -> None:
    errors = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if as_json:
        st.out.json({"error": {"code": exc.code, "message": exc.message, "details": exc.details}})
        return
    st.out.error(f"error: {exc.message} [{exc.code}, HTTP {exc.status}]")
    if errors:
        st.out.table(errors, ERROR_COLUMNS, title="Rows with problems (nothing was imported)")


def _show_result(st: AppState, answer: dict[str, Any]) -> None:
    rows, errors = answer.get("rows", []), answer.get("errors", [])
    if answer.get("dry_run"):
        title = f"Dry run: {len(rows)} row(s) would be booked"
    else:
        title = f"Imported {answer.get('imported', 0)} reservation(s)"
    st.out.table(rows, ROW_COLUMNS, title=title)
    if errors:
        st.out.table(errors, ERROR_COLUMNS, title="Rows with problems (nothing would be booked)")


def export(
    ctx: typer.Context,
    *,
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write ('-' for standard output).")
    ] = "-",
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
    start: Annotated[
        str | None, typer.Option("--from", help="Reservations ending after (ISO 8601).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Reservations starting before (ISO 8601).")
    ] = None,
    resource: Annotated[str | None, typer.Option("--resource", "-r", help="Resource id.")] = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only these statuses (repeatable).")
    ] = None,
    page_size: Annotated[int, typer.Option("--page-size", help="Rows per request.")] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Export reservations (admins: everyone's, others: their own), following every page."""
    st = state(ctx)
    require(fmt in ("csv", "json"), "--format must be csv or json")
    params: dict[str, Any] = {
        "format": fmt,
        "from": start,
        "to": end,
        "resource_id": resource,
        "status": status or None,
        "limit": page_size,
    }
    to_stdout = output == "-"
    with _sink(output) as sink:
        rows, pages = _follow(st, params, sink)
    summary = {"output": output, "format": fmt, "rows": rows, "pages": pages}
    if as_json and not to_stdout:
        st.out.json(summary)
    elif not to_stdout:
        st.out.success(f"Exported {rows} reservation(s) in {pages} page(s) to {output}")


@contextlib.contextmanager
def _sink(output: str) -> Iterator[IO[str]]:
    if output == "-":
        yield sys.stdout
        return
    try:
        with Path(output).open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc


def _follow(st: AppState, params: dict[str, Any], sink: IO[str]) -> tuple[int, int]:
    """Page after page into `sink`; JSON pages become one JSON array of reservations."""
    fmt = params["format"]
    rows = pages = 0
    cursor: str | None = None
    with st.out.pages("exporting") as update:
        if fmt == "json":
            sink.write("[")
        while True:
            text, cursor = _page(st, {**params, "cursor": cursor})
            pages += 1
            if fmt == "json":
                items = json.loads(text).get("items", [])
                for item in items:
                    sink.write(("," if rows else "") + "\n" + json.dumps(item, ensure_ascii=False))
                    rows += 1
            else:
                sink.write(text)
                rows += max(0, len(list(csv.reader(io.StringIO(text)))) - (pages == 1))
            update(pages, rows)
            if not cursor:
                break
        if fmt == "json":
            sink.write("\n]\n")
    return rows, pages


def _page(st: AppState, params: dict[str, Any]) -> tuple[str, str | None]:
    with st.client.stream(EXPORT_PATH, params=params) as response:
        text = response.read().decode("utf-8")
        return text, response.headers.get("X-Next-Cursor")
