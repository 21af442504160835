"""The reservations CSV import on the running local stack (issue 14): a 1,000-row file with one
bad row books nothing and names the row; a valid file of 200 rows (several DynamoDB
transactions: the anchored, chunked bulk write) is booked whole, read back through the paged
export. (200, not 1,000, valid rows: the write is ~7 transactions instead of ~35, which keeps
the test well inside DynamoDB Local's time on a loaded machine; the chunking is the same.)"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.browser import ApiClient, unique

ROWS = 1000
VALID_ROWS = 200
RESOURCES = 10
BAD_ROW = 637
# One request checks and writes 1,000 bookings: minutes on a loaded machine, not seconds.
IMPORT_TIMEOUT_S = 600.0


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(rooms: list[str], owner: str, *, bad_row: int | None, rows: int = ROWS) -> str:
    """Row i: room i % 10, the (i // 10)-th hour from tomorrow; `bad_row` ends before it starts."""
    base = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["resource", "start", "end", "title", "user"])
    for index in range(rows):
        start = base + timedelta(hours=index // RESOURCES)
        end = start - timedelta(minutes=30) if index + 1 == bad_row else start + timedelta(hours=1)
        writer.writerow(
            [rooms[index % RESOURCES], _iso(start), _iso(end), f"row {index + 1}", owner]
        )
    return buffer.getvalue()


def _import(api: ApiClient, token: str, text: str) -> httpx.Response:
    return api.http.post(
        "/api/v1/bulk/reservations/import",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        content=text.encode(),
        timeout=IMPORT_TIMEOUT_S,
    )


def _exported(api: ApiClient, token: str, rooms: set[str]) -> list[dict[str, str]]:
    """Every exported row on `rooms`, following the CSV pages (the first carries the header)."""
    lines: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, "status": "any"}
        if cursor:
            params["cursor"] = cursor
        response = api.http.get(
            "/api/v1/bulk/reservations/export",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60.0,
        )
        assert response.status_code == 200, response.text
        lines += response.text.splitlines()
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor:
            break
    return [row for row in csv.DictReader(lines) if row["resource_id"] in rooms]


@pytest.fixture(scope="module")
def rooms(api: ApiClient, admin_api_token: str) -> list[str]:
    tag = unique("import")
    return [
        api.create_resource(admin_api_token, f"{tag} {n}", timezone="UTC")["resource_id"]
        for n in range(RESOURCES)
    ]


def test_a_1000_row_file_with_one_bad_row_books_nothing_and_names_the_row(
    api: ApiClient, admin_api_token: str, rooms: list[str]
) -> None:
    owner = unique("importee")
    api.register(owner)
    # Given a 1,000-row file for a user, row 637 ending before it starts
    # When the admin imports it
    refused = _import(api, admin_api_token, _csv(rooms, owner, bad_row=BAD_ROW))
    # Then it is refused naming row 637 (file line 638) only, and nothing is in the table
    assert refused.status_code == 422, refused.text
    errors = refused.json()["error"]["details"]["errors"]
    assert [(e["row"], e["line"], e["column"]) for e in errors] == [
        (BAD_ROW, BAD_ROW + 1, "start,end")
    ]
    assert _exported(api, admin_api_token, set(rooms)) == []


def test_a_valid_file_is_booked_whole(
    api: ApiClient, admin_api_token: str, rooms: list[str]
) -> None:
    owner = unique("importee")
    api.register(owner)
    # Given a valid file of 200 rows for a user, When the admin imports it
    done = _import(api, admin_api_token, _csv(rooms, owner, bad_row=None, rows=VALID_ROWS))
    # Then all are booked for the user, and the paged export reads them all back
    assert done.status_code == 201, done.text
    assert done.json()["imported"] == VALID_ROWS
    stored = _exported(api, admin_api_token, set(rooms))
    assert len(stored) == VALID_ROWS and len({r["reservation_id"] for r in stored}) == VALID_ROWS
    assert {r["status"] for r in stored} == {"active"}
    assert len({r["user_id"] for r in stored}) == 1
