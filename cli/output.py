"""What `rr` prints: raw JSON for scripts (`--json`), Rich tables for people.

Tables render the API's UTC `Z` timestamps in the user's zone and say which zone in the
caption. User-supplied text is wrapped in `Text` objects, so a resource called "[red]x" is
shown as typed, never interpreted as Rich markup. Progress and notices go to stderr, so stdout
stays clean for pipes.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.timeparse import format_duration, format_local

Kind = Literal["text", "time", "bool", "list", "json", "seconds"]

STATUS_STYLES = {
    "active": "green",
    "available": "green",
    "ok": "green",
    "pending_approval": "yellow",
    "held": "yellow",
    "maintenance": "yellow",
    "degraded": "yellow",
    "in_use": "cyan",
    "cancelled": "dim",
    "expired": "dim",
    "rejected": "red",
    "no_show": "red",
    "disabled": "red",
    "unreachable": "red",
}


@dataclass(frozen=True)
class Column:
    key: str  # dotted path into the object, e.g. "location.building"
    header: str
    kind: Kind = "text"
    styled: bool = False  # colour the value by STATUS_STYLES


def lookup(obj: Mapping[str, Any], key: str) -> Any:
    value: Any = obj
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _wide_console(*, stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    interactive = hasattr(stream, "isatty") and stream.isatty()
    # Off a terminal (pipes, CI, tests) Rich would assume 80 columns and wrap cells mid-word.
    return Console(stderr=stderr, width=None if interactive else 200, highlight=False)


class Output:
    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.out = _wide_console(stderr=False)
        self.err = _wide_console(stderr=True)

    # -- scripts ----------------------------------------------------------------------------

    def json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")

    # -- people -----------------------------------------------------------------------------

    def cell(self, value: Any, column: Column) -> Text:
        text = self.render(value, column.kind)
        style = STATUS_STYLES.get(str(value), "") if column.styled else ""
        return Text(text, style=style)

    def render(self, value: Any, kind: Kind = "text") -> str:
        if value is None or value == "":
            return "-"
        if kind == "time":
            return format_local(str(value), self.zone)
        if kind == "seconds" and isinstance(value, int | float):
            return format_duration(timedelta(seconds=value))
        if kind == "bool" or isinstance(value, bool):
            return "yes" if value else "no"
        if kind == "list" or isinstance(value, list):
            return ", ".join(str(item) for item in value) or "-"
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)

    def table(
        self,
        rows: Iterable[Mapping[str, Any]],
        columns: list[Column],
        *,
        title: str | None = None,
        empty: str = "nothing to show",
    ) -> None:
        materialised = list(rows)
        if not materialised:
            self.out.print(Text(empty, style="dim"))
            return
        table = Table(title=title, caption=self._caption(columns), show_lines=False)
        for column in columns:
            table.add_column(column.header, overflow="fold")
        for row in materialised:
            table.add_row(*(self.cell(lookup(row, c.key), c) for c in columns))
        self.out.print(table)

    def record(
        self, obj: Mapping[str, Any], columns: list[Column], *, title: str | None = None
    ) -> None:
        """One object as a two-column table (field, value)."""
        table = Table(title=title, caption=self._caption(columns), show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for column in columns:
            table.add_row(column.header, self.cell(lookup(obj, column.key), column))
        self.out.print(table)

    def _caption(self, columns: list[Column]) -> str | None:
        if any(column.kind == "time" for column in columns):
            return f"times in {self.zone.key}"
        return None

    def line(self, message: str, style: str = "") -> None:
        self.out.print(Text(message, style=style))

    def success(self, message: str) -> None:
        self.out.print(Text(message, style="green"))

    def notice(self, message: str) -> None:
        self.err.print(Text(message, style="yellow"))

    def error(self, message: str) -> None:
        self.err.print(Text(message, style="bold red"))

    # -- long work --------------------------------------------------------------------------

    @contextlib.contextmanager
    def pages(self, label: str) -> Iterator[Callable[[int, int], None]]:
        """A page counter on stderr: live on a terminal, one summary line elsewhere."""
        state = {"pages": 0, "items": 0}
        live = self.err.is_terminal
        status = self.err.status(f"{label}...") if live else contextlib.nullcontext()
        with status as spinner:

            def update(pages: int, items: int) -> None:
                state.update(pages=pages, items=items)
                if spinner is not None:
                    spinner.update(f"{label}: {items} so far ({pages} pages)")

            yield update
        if state["pages"] > 1:
            self.err.print(
                Text(f"{label}: {state['items']} in {state['pages']} page(s)", style="dim")
            )

    @contextlib.contextmanager
    def working(self, label: str) -> Iterator[None]:
        """A spinner on stderr for one long request (e.g. a CSV upload)."""
        if self.err.is_terminal:
            with self.err.status(label):
                yield
        else:
            self.err.print(Text(label, style="dim"))
            yield
