"""Reservations CSV import and export (issue 14): all or nothing with per-row errors, dry run
writes nothing, who may import for whom, the export's scope, paging and formula safety.
Reads the table back through the API (the listing of everyone's reservations)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import auth_headers, register_and_login, user_id_of
from tests.integration.reservations_kit import at, create_resource, iso

IMPORT = "/api/v1/bulk/reservations/import"
EXPORT = "/api/v1/bulk/reservations/export"
HEADER = "resource,start,end,timezone,title,notes,user\n"


def upload(client: Client, token: str, text: str, query: str = "") -> Any:
    headers = {**auth_headers(token), "Content-Type": "text/csv"}
    return client.http.post(IMPORT + query, headers=headers, body=text.encode())


def row(resource: str, hour: int, *, minutes: int = 30, **extra: str) -> str:
    cells = [
        resource,
        iso(at(hour)),
        iso(at(hour, minutes)),
        extra.get("timezone", ""),
        extra.get("title", ""),
        extra.get("notes", ""),
        extra.get("user", ""),
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def everyone(client: Client, admin_token: str) -> list[dict[str, Any]]:
    response = client.http.get(
        "/api/v1/admin/reservations?status=any&limit=100", headers=auth_headers(admin_token)
    )
    assert response.status_code == 200, response.body
    return list(response.json_body["items"])


@pytest.fixture
def rooms(client: Client, clock: FrozenClock) -> None:
    create_resource("room-1")
    create_resource("room-2", requires_approval=True)


# --- import -------------------------------------------------------------------------------


def test_a_valid_file_is_booked_whole_by_name_or_id(
    client: Client, rooms: None, user_token: str, admin_token: str
) -> None:
    # Given rows naming a resource by id, one by name (any case) and one needing approval
    text = (
        HEADER
        + row("room-1", 9, title="Stand-up", notes="daily")
        + row("resource ROOM-1", 10)
        + row("room-2", 11)
    )
    # When the user imports them
    response = upload(client, user_token, text)
    # Then all three are booked, in file order, for the user
    assert response.status_code == 201, response.body
    body = response.json_body
    assert body["imported"] == 3 and body["ok"] and not body["dry_run"]
    assert [r["row"] for r in body["rows"]] == [1, 2, 3]
    assert [r["status"] for r in body["rows"]] == ["active", "active", "pending_approval"]
    stored = {r["reservation_id"]: r for r in everyone(client, admin_token)}
    assert set(stored) == {r["reservation_id"] for r in body["rows"]}
    uid = user_id_of(client, user_token)
    assert {r["user_id"] for r in stored.values()} == {uid}
    assert stored[body["rows"][0]["reservation_id"]]["notes"] == "Stand-up - daily"


def test_a_local_time_is_read_in_the_rows_time_zone(
    client: Client, rooms: None, user_token: str
) -> None:
    text = "resource,start,end,timezone\nroom-1,2026-11-25T10:00,2026-11-25T11:00,Europe/Berlin\n"
    response = upload(client, user_token, text)
    assert response.status_code == 201, response.body
    assert response.json_body["rows"][0]["start_time"] == "2026-11-25T09:00:00.000Z"


def test_one_bad_row_books_nothing_and_every_problem_names_its_row_and_column(
    client: Client, rooms: None, user_token: str, admin_token: str
) -> None:
    # Given a file with a bad time, an unknown resource, two rows colliding and a bad zone
    text = (
        HEADER
        + row("room-1", 9)
        + "room-1,tomorrow at nine,2026-11-25T10:00:00Z,,,,\n"
        + row("no-such-room", 10)
        + row("room-1", 12)
        + row("room-1", 12, minutes=15)
        + row("room-1", 14, timezone="Mars/Olympus")
    )
    # When it is imported
    response = upload(client, user_token, text)
    # Then nothing is booked, and the error lists each problem by row, column and reason
    assert response.status_code == 422, response.body
    error = response.json_body["error"]
    assert error["code"] == "import_rejected"
    found = {(e["row"], e["column"], e["code"]) for e in error["details"]["errors"]}
    assert found == {
        (2, "start", "invalid_value"),
        (3, "resource", "resource_not_found"),
        (4, "start,end", "overlaps_item"),
        (5, "start,end", "overlaps_item"),
        (6, "timezone", "invalid_value"),
    }
    overlap = next(e for e in error["details"]["errors"] if e["row"] == 4)
    assert "row(s) 5" in overlap["message"] and overlap["line"] == 5
    assert everyone(client, admin_token) == []


def test_a_row_clashing_with_the_table_books_nothing(
    client: Client, rooms: None, user_token: str, other_user_token: str, admin_token: str
) -> None:
    # Given bob holds room-1 at 10:00
    assert upload(client, other_user_token, HEADER + row("room-1", 10)).status_code == 201
    # When alice imports two rows, the second at bob's time
    response = upload(client, user_token, HEADER + row("room-1", 9) + row("room-1", 10))
    # Then nothing of alice's is booked and row 2 is named
    assert response.status_code == 422, response.body
    errors = response.json_body["error"]["details"]["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(2, "reservation_conflict")]
    assert len(everyone(client, admin_token)) == 1


def test_a_dry_run_reports_and_writes_nothing(
    client: Client, rooms: None, user_token: str, admin_token: str
) -> None:
    good = upload(
        client, user_token, HEADER + row("room-1", 9) + row("room-2", 10), "?dry_run=true"
    )
    assert good.status_code == 200, good.body
    assert good.json_body["ok"] and good.json_body["imported"] == 0
    assert [r["status"] for r in good.json_body["rows"]] == ["active", "pending_approval"]
    bad = upload(client, user_token, HEADER + row("room-1", 9) + row("nope", 9), "?dry_run=true")
    assert bad.status_code == 200 and not bad.json_body["ok"]
    assert [(e["row"], e["column"]) for e in bad.json_body["errors"]] == [(2, "resource")]
    assert [r["row"] for r in bad.json_body["rows"]] == [1]
    assert everyone(client, admin_token) == []


def test_only_an_admin_imports_for_someone_else(
    client: Client, rooms: None, user_token: str, admin_token: str
) -> None:
    bob = register_and_login(client, "bob")
    bob_id = user_id_of(client, bob)
    # A user naming someone else is refused, row by row
    refused = upload(client, user_token, HEADER + row("room-1", 9, user="bob"))
    assert refused.status_code == 422
    assert refused.json_body["error"]["details"]["errors"][0]["column"] == "user"
    # ... but may name themselves
    assert upload(client, user_token, HEADER + row("room-1", 8, user="alice")).status_code == 201
    # An admin names bob by username and by id; an unknown user is a row error
    unknown = upload(client, admin_token, HEADER + row("room-1", 9, user="nobody"))
    assert unknown.json_body["error"]["details"]["errors"][0]["code"] == "user_not_found"
    done = upload(
        client, admin_token, HEADER + row("room-1", 9, user="bob") + row("room-1", 10, user=bob_id)
    )
    assert done.status_code == 201, done.body
    assert {r["user_id"] for r in done.json_body["rows"]} == {bob_id}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "csv_header_invalid"),
        ("resource,start\nroom-1,2026-11-25T09:00:00Z\n", "csv_header_invalid"),
        ("resource,start,end,colour\n", "csv_header_invalid"),
        ("resource,start,end\n", "csv_empty"),
        ("resource,start,end\n" + "room-1,2026-11-25T09:00:00Z,2026-11-25T10:00:00Z\n" * 1001,
         "csv_too_many_rows"),
    ],
)  # fmt: skip
def test_a_bad_file_is_a_4xx_json_error(
    client: Client, rooms: None, user_token: str, text: str, code: str
) -> None:
    response = upload(client, user_token, text)
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"] == code


def test_not_utf8_and_wrong_content_type_are_refused(
    client: Client, rooms: None, user_token: str
) -> None:
    headers = {**auth_headers(user_token), "Content-Type": "text/csv"}
    latin = client.http.post(
        IMPORT, headers=headers, body="resource,start,end\n\xe9".encode("latin-1")
    )
    assert latin.status_code == 422 and latin.json_body["error"]["code"] == "csv_not_utf8"
    as_json = client.http.post(IMPORT, headers=auth_headers(user_token), body=b"{}")
    assert 400 <= as_json.status_code < 500


# --- export -------------------------------------------------------------------------------


def seed(client: Client, alice: str, bob: str) -> None:
    formula = HEADER + row("room-1", 9, notes='=HYPERLINK("http://x")') + row("room-1", 10)
    assert upload(client, alice, formula).status_code == 201
    assert upload(client, bob, HEADER + row("room-1", 11) + row("room-1", 12)).status_code == 201


def test_a_user_exports_only_their_own_and_formulas_are_neutralised(
    client: Client, rooms: None, user_token: str, other_user_token: str
) -> None:
    seed(client, user_token, other_user_token)
    response = client.http.get(EXPORT, headers=auth_headers(user_token))
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert len(rows) == 2
    assert {r["user_id"] for r in rows} == {user_id_of(client, user_token)}
    assert rows[0]["notes"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["resource_name"] == "Resource room-1"


def test_an_admin_exports_everyone_in_pages_that_append_to_one_file(
    client: Client, rooms: None, user_token: str, other_user_token: str, admin_token: str
) -> None:
    seed(client, user_token, other_user_token)
    lines: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        response = client.http.get(EXPORT + query, headers=auth_headers(admin_token))
        assert response.status_code == 200, response.body
        lines += response.body.decode().splitlines()
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert pages >= 2
    rows = list(csv.DictReader(lines))
    assert len(rows) == 4 and len({r["reservation_id"] for r in rows}) == 4


def test_the_json_export_pages_and_filters(
    client: Client, rooms: None, user_token: str, other_user_token: str, admin_token: str
) -> None:
    seed(client, user_token, other_user_token)
    headers = auth_headers(admin_token)
    first = client.http.get(EXPORT + "?format=json&limit=2", headers=headers).json_body
    second = client.http.get(
        EXPORT + f"?format=json&limit=2&cursor={first['next_cursor']}", headers=headers
    ).json_body
    ids = {r["reservation_id"] for r in first["items"] + second["items"]}
    assert len(ids) == 4
    late = client.http.get(
        EXPORT + f"?format=json&from={iso(at(11))}&status=active", headers=headers
    ).json_body
    assert len(late["items"]) == 2
    none = client.http.get(EXPORT + "?format=json&status=cancelled", headers=headers).json_body
    assert none["items"] == []


@pytest.mark.parametrize(
    "query",
    ["?format=xml", "?limit=0", "?limit=1001", "?status=nope", "?from=soon", "?cursor=garbage",
     "?colour=red"],
)  # fmt: skip
def test_bad_export_queries_are_4xx_json_errors(
    client: Client, rooms: None, user_token: str, query: str
) -> None:
    response = client.http.get(EXPORT + query, headers=auth_headers(user_token))
    assert 400 <= response.status_code < 500, response.body
    assert "error" in response.json_body


def test_signed_out_callers_are_refused(client: Client, rooms: None) -> None:
    assert client.http.get(EXPORT).status_code == 401
    response = client.http.post(IMPORT, headers={"Content-Type": "text/csv"}, body=b"x")
    assert response.status_code == 401
