"""Exports saved to a file: streamed through the client's token handling, renamed into place
only when whole, a byte progress bar on a terminal. Over an in-memory httpx transport."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cli.client import ApiError, CliError
from cli.download import download
from cli.output import Output
from cli.timeparse import resolve_zone
from tests.unit.test_cli_client import FakeApi, make_client

BODY = b"entry_id,action\n" + b"01J,created\n" * 5000


def export_api(api: FakeApi, body: bytes = BODY) -> FakeApi:
    def export(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/api/v1/audit/export/csv":
            return None
        if request.headers.get("Authorization") != f"Bearer {api.valid_access}":
            return None  # the fake's own 401
        return httpx.Response(200, content=body, headers={"Content-Type": "text/csv"})

    api.before = export
    return api


def quiet() -> Output:
    return Output(resolve_zone("UTC"))


def test_the_body_lands_whole_after_a_refresh(tmp_path: Path) -> None:
    # Given a stored access token the API no longer accepts
    api = export_api(FakeApi(valid_access="good-2"))
    client = make_client(tmp_path, api)
    target = tmp_path / "audit.csv"
    # When the export is downloaded
    written = download(client, quiet(), "audit/export/csv", {"action": None}, target)
    # Then the token was refreshed once, and the file holds the whole body (nothing else left)
    assert api.refreshes == 1
    assert target.read_bytes() == BODY and written == len(BODY)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".audit")) == []


def test_an_api_error_leaves_no_file(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        error = {"code": "forbidden", "message": "admins only", "details": None}
        return httpx.Response(403, json={"error": error})

    client = make_client(tmp_path, refuse)
    target = tmp_path / "out" / "audit.csv"
    target.parent.mkdir()
    with pytest.raises(ApiError) as raised:
        download(client, quiet(), "audit/export/csv", {}, target)
    assert (raised.value.status, raised.value.message) == (403, "admins only")
    assert list(target.parent.iterdir()) == []


def test_an_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    client = make_client(tmp_path, export_api(FakeApi()))
    with pytest.raises(CliError, match="cannot write to"):
        download(client, quiet(), "audit/export/csv", {}, tmp_path / "missing" / "a.csv")


def test_a_directory_in_the_way_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    client = make_client(tmp_path, export_api(FakeApi()))
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(CliError, match=r"cannot write .*out\.csv"):
        download(client, quiet(), "audit/export/csv", {}, tmp_path / "out.csv")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_terminal_sees_a_byte_progress_bar(tmp_path: Path) -> None:
    # Given stderr is a terminal
    client = make_client(tmp_path, export_api(FakeApi()))
    out = quiet()
    screen = io.StringIO()
    out.err = Console(file=screen, force_terminal=True, width=120)
    # When the export is downloaded, Then the bar named the file and reached the full size
    download(client, out, "audit/export/csv", {}, tmp_path / "audit.csv")
    drawn = screen.getvalue()
    assert "audit.csv" in drawn and f"{len(BODY) / 1000:.1f}/{len(BODY) / 1000:.1f} kB" in drawn
