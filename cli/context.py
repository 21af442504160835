"""Per-invocation state (API URL, zone, client, output) and the options commands share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from cli.client import ApiClient, CliError, plain_http_warning, resolve_api_url
from cli.config import CredentialStore, config_dir
from cli.output import Column, Output
from cli.timeparse import TIME_HELP, parse_datetime, resolve_zone, to_api

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the API's raw JSON answer (for scripts).")
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="IANA zone for times typed without an offset and for display "
        "(default: the global --tz, else the machine's zone).",
        show_default=False,
    ),
]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, max=100, help="Items per page (1-100).")]
CursorOpt = Annotated[
    str | None, typer.Option("--cursor", help="Continue from the `next_cursor` of a previous page.")
]
AllOpt = Annotated[
    bool, typer.Option("--all", help="Follow cursors and fetch every page (progress on stderr).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@dataclass
class AppState:
    api_url_option: str | None = None
    tz_name: str | None = None
    _client: ApiClient | None = field(default=None, repr=False)
    _output: Output | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return resolve_api_url(self.api_url_option)

    @property
    def zone(self) -> ZoneInfo:
        return resolve_zone(self.tz_name)

    @property
    def client(self) -> ApiClient:
        if self._client is None:
            url = self.api_url
            warning = plain_http_warning(url)
            if warning:
                typer.echo(warning, err=True)
            self._client = ApiClient(url, CredentialStore(config_dir()))
        return self._client

    @property
    def out(self) -> Output:
        if self._output is None:
            self._output = Output(self.zone)
        return self._output

    def use_tz(self, tz_name: str | None) -> None:
        """A command-level --tz overrides the global one."""
        if tz_name:
            resolve_zone(tz_name)  # fail early on a typo
            self.tz_name = tz_name
            self._output = None

    def when(self, value: str | None) -> str | None:
        """A time typed by the user -> ISO 8601 with an offset (never naive)."""
        if value is None:
            return None
        return to_api(parse_datetime(value, self.zone))

    def moment(self, value: str) -> datetime:
        return parse_datetime(value, self.zone)

    def show(self, data: Any, as_json: bool, columns: list[Column], title: str = "") -> None:
        """One object: raw JSON for scripts, a field/value table for people."""
        if as_json:
            self.out.json(data)
        else:
            self.out.record(data, columns, title=title or None)

    def show_list(
        self, items: list[dict[str, Any]], as_json: bool, columns: list[Column], **kwargs: Any
    ) -> None:
        if as_json:
            self.out.json(items)
        else:
            self.out.table(items, columns, **kwargs)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


# Shown once under the options of every command that reads times.
TIME_EPILOG = f"Times: {TIME_HELP}"


def time_option_help(what: str) -> str:
    return f"{what}, e.g. 'tomorrow 10:00' or 2026-11-24T09:00+01:00 (see Times below)."


def require(condition: bool, message: str) -> None:
    """Refuse an invalid combination of options before any request is sent."""
    if not condition:
        raise CliError(message)
