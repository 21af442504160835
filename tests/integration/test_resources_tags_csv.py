"""Tag operations across resources, and the all-or-nothing CSV import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.rules import ResourceDraft
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.ids import SequentialIds
from chalicelib.store.catalog import blackouts
from chalicelib.store.catalog.importer import chunks, import_all
from tests.factories import error_code, send_json
from tests.resource_factories import (
    RESOURCES,
    a_resource,
    create_resource,
    csv_text,
    get_json,
    make_guest,
    upload_csv,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TAGS = f"{RESOURCES}/tags"


def seed_tagged(clock: FrozenClock, count: int, tags: tuple[str, ...]) -> None:
    drafts = [ResourceDraft(name=f"T{i:03d}", tags=tags) for i in range(count)]
    resources = [catalog.new_resource(d, wiring.ids().new_id(), clock.now()) for d in drafts]
    import_all(wiring.resource_store(), resources)


def tag_counts(client: Client, token: str) -> dict[str, int]:
    response = get_json(client, f"{TAGS}?limit=100", token)
    assert response.status_code == 200, response.body
    return {row["tag"]: row["count"] for row in response.json_body["items"]}


def all_tags(client: Client, token: str) -> list[list[str]]:
    items = get_json(client, f"{RESOURCES}?limit=100", token).json_body["items"]
    return [item["tags"] for item in items]


# --- tags ---------------------------------------------------------------------------------


def test_tags_are_listed_with_counts_and_paged(client: Client, admin_token: str) -> None:
    create_resource(client, admin_token, "A", tags=["x", "y"])
    create_resource(client, admin_token, "B", tags=["x", "meeting room"])
    guest = make_guest(client, admin_token)
    assert tag_counts(client, guest) == {"meeting room": 1, "x": 2, "y": 1}
    first = get_json(client, f"{TAGS}?limit=2", guest).json_body
    assert [row["tag"] for row in first["items"]] == ["meeting room", "x"]
    second = get_json(client, f"{TAGS}?limit=2&cursor={first['next_cursor']}", guest).json_body
    assert [row["tag"] for row in second["items"]] == ["y"]


def test_rename_rewrites_every_resource_beyond_one_page_of_members(
    client: Client, admin_token: str, clock: FrozenClock
) -> None:
    # Given 30 resources tagged old+keep (more than one page of tag members)
    seed_tagged(clock, 30, ("old", "keep"))
    # When the tag is renamed
    response = send_json(client, "PUT", f"{TAGS}/rename", {"from": "Old", "to": "New"}, admin_token)
    # Then every resource carries the new tag, in place, and the counters moved
    assert response.status_code == 200, response.body
    assert response.json_body == {"updated": 30, "complete": True}
    assert all(tags == ["new", "keep"] for tags in all_tags(client, admin_token))
    assert tag_counts(client, admin_token) == {"keep": 30, "new": 30}


def test_renaming_onto_an_existing_tag_merges_without_duplicates(
    client: Client, admin_token: str
) -> None:
    create_resource(client, admin_token, "A", tags=["a", "b"])
    create_resource(client, admin_token, "B", tags=["a"])
    response = send_json(client, "PUT", f"{TAGS}/rename", {"from": "a", "to": "b"}, admin_token)
    assert response.json_body["updated"] == 2
    assert sorted(all_tags(client, admin_token)) == [["b"], ["b"]]
    assert tag_counts(client, admin_token) == {"b": 2}


def test_delete_tag_removes_it_everywhere_including_tags_with_spaces(
    client: Client, admin_token: str
) -> None:
    create_resource(client, admin_token, "A", tags=["meeting room", "x"])
    create_resource(client, admin_token, "B", tags=["meeting room"])
    response = send_json(client, "DELETE", f"{TAGS}/meeting%20room", None, admin_token)
    assert response.status_code == 200, response.body
    assert response.json_body == {"updated": 2, "complete": True}
    assert sorted(all_tags(client, admin_token)) == [[], ["x"]]
    assert tag_counts(client, admin_token) == {"x": 1}
    again = send_json(client, "DELETE", f"{TAGS}/meeting%20room", None, admin_token)
    assert again.status_code == 404 and error_code(again) == "tag_not_found"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"from": "x", "to": "x"}, 422),
        ({"from": "x", "to": "bad/tag"}, 422),
        ({"from": "x"}, 422),
        ({"from": "x", "to": "y", "extra": 1}, 422),
        ({"from": "nobody-has-it", "to": "y"}, 404),
    ],
)
def test_bad_renames(client: Client, admin_token: str, body: dict[str, Any], status: int) -> None:
    create_resource(client, admin_token, "A", tags=["x"])
    response = send_json(client, "PUT", f"{TAGS}/rename", body, admin_token)
    assert response.status_code == status, response.body
    assert tag_counts(client, admin_token) == {"x": 1}


def test_bad_tag_in_the_delete_path_is_422(client: Client, admin_token: str) -> None:
    response = send_json(client, "DELETE", f"{TAGS}/{'x' * 40}", None, admin_token)
    assert response.status_code == 422 and error_code(response) == "invalid_tag"


# --- CSV import ---------------------------------------------------------------------------


def test_the_good_sample_imports_every_row(client: Client, admin_token: str) -> None:
    response = upload_csv(client, admin_token, (SAMPLES / "resources.csv").read_bytes())
    assert response.status_code == 201, response.body
    assert response.json_body["imported"] == 6
    items = get_json(client, f"{RESOURCES}?limit=50", admin_token).json_body["items"]
    boardroom = next(i for i in items if i["name"] == "Cirrus Boardroom")
    assert boardroom["requires_approval"] is True
    assert boardroom["tags"] == ["meeting room", "board", "video"]
    assert boardroom["timezone"] == "Europe/Berlin"
    assert tag_counts(client, admin_token)["meeting room"] == 2


def test_one_bad_row_imports_nothing_and_every_error_has_its_row(
    client: Client, admin_token: str
) -> None:
    response = upload_csv(client, admin_token, (SAMPLES / "resources-bad.csv").read_bytes())
    assert response.status_code == 422
    assert error_code(response) == "csv_invalid"
    errors = response.json_body["error"]["details"]["errors"]
    assert {e["row"] for e in errors} == {2, 3, 4, 5}
    assert {(e["row"], e["field"]) for e in errors} >= {
        (2, "name"),
        (2, "capacity"),
        (3, "timezone"),
        (4, "tags"),
        (5, "name"),
    }
    assert all(e["line"] == e["row"] + 1 for e in errors)
    summary = get_json(client, f"{RESOURCES}/availability/summary", admin_token).json_body
    assert summary["total"] == 0


def test_a_name_taken_by_an_existing_resource_imports_nothing(
    client: Client, admin_token: str
) -> None:
    create_resource(client, admin_token, "Existing")
    text = csv_text("name,tags", ["Fresh 1,a", "EXISTING,a", "Fresh 2,b"])
    response = upload_csv(client, admin_token, text)
    assert response.status_code == 409 and error_code(response) == "csv_name_conflict"
    assert response.json_body["error"]["details"]["errors"] == [
        {"row": 2, "line": 3, "field": "name", "message": "name taken"}
    ]
    assert [i["name"] for i in get_json(client, RESOURCES, admin_token).json_body["items"]] == [
        "Existing"
    ]
    assert tag_counts(client, admin_token) == {}


def test_an_import_of_more_than_100_rows_is_complete(client: Client, admin_token: str) -> None:
    rows = [f"Bulk {i:03d},{i % 9 + 1}" for i in range(101)]
    response = upload_csv(client, admin_token, csv_text("name,capacity", rows))
    assert response.status_code == 201, response.body
    assert response.json_body["imported"] == 101
    summary = get_json(client, f"{RESOURCES}/availability/summary", admin_token).json_body
    assert (summary["total"], summary["enabled"]) == (101, 101)


# Eight tags per row: a transaction holds eight rows, so 18 rows take three transactions.
MANY_TAGS = ";".join(f"tag{j}" for j in range(7)) + ";shared"


def test_a_chunked_import_keeps_every_counter_right(client: Client, admin_token: str) -> None:
    rows = [f"Tagged {i:02d},{MANY_TAGS}" for i in range(18)]
    response = upload_csv(client, admin_token, csv_text("name,tags", rows))
    assert response.status_code == 201, response.body
    assert tag_counts(client, admin_token) == {t: 18 for t in MANY_TAGS.split(";")}


def test_a_chunk_failing_mid_import_leaves_nothing_behind(client: Client, admin_token: str) -> None:
    # Given deterministic ids, and a resource that already holds the id row 17 will get
    wiring.use_ids(SequentialIds("imp"))
    wiring.resource_store().create(a_resource("imp-000017", "Squatter", tags=("shared",)))
    rows = [f"Tagged {i:02d},{MANY_TAGS}" for i in range(18)]
    same_shape = [a_resource(f"x{i}", f"T{i}", tags=tuple(MANY_TAGS.split(";"))) for i in range(18)]
    assert [len(chunk) for chunk in chunks(same_shape)] == [8, 8, 2]
    # When the import reaches the third transaction, which holds that id
    response = upload_csv(client, admin_token, csv_text("name,tags", rows))
    # Then it fails as a whole, and the two transactions written before are undone
    assert response.status_code == 409, response.body
    assert error_code(response) == "import_conflict"
    listed = get_json(client, f"{RESOURCES}?limit=100", admin_token).json_body["items"]
    assert [i["name"] for i in listed] == ["Squatter"]
    assert tag_counts(client, admin_token) == {"shared": 1}
    summary = get_json(client, f"{RESOURCES}/availability/summary", admin_token).json_body
    assert summary["total"] == 1
    # And the undone resources' blackout markers went with them
    undone = [f"imp-{n:06d}" for n in range(1, 17)]
    assert set(blackouts.counts_of(undone).values()) == {None}


def test_imported_resources_carry_their_blackout_marker(client: Client, admin_token: str) -> None:
    # (so a booking on one never queries its blackouts: it has none of its own)
    rows = [f"Marked {i:03d},{i % 9 + 1}" for i in range(30)]
    response = upload_csv(client, admin_token, csv_text("name,capacity", rows))
    assert response.status_code == 201, response.body
    ids = response.json_body["resource_ids"]
    assert len(ids) == 30 and set(blackouts.counts_of(ids).values()) == {0}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "csv_header_invalid"),
        (b"name\n", "csv_empty"),
        (b"name,price\nA,1\n", "csv_header_invalid"),
        (b"name\n\xff\xfe\n", "csv_not_utf8"),
        (b"name\n" + b"x" * 1_000_001, "csv_too_large"),
        (b"name\n" + b"".join(b"R%d\n" % i for i in range(1001)), "csv_too_many_rows"),
    ],
)
def test_bad_csv_files_are_422_and_import_nothing(
    client: Client, admin_token: str, body: bytes, code: str
) -> None:
    response = upload_csv(client, admin_token, body)
    assert response.status_code == 422, response.body
    assert error_code(response) == code


def test_upload_needs_text_csv_and_an_admin(
    client: Client, admin_token: str, user_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    wrong_type = client.http.post(f"{RESOURCES}/upload", headers=headers, body=b'{"name": "A"}')
    assert wrong_type.status_code == 415
    assert upload_csv(client, user_token, "name\nA\n").status_code == 403
    assert upload_csv(client, None, "name\nA\n").status_code == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=bogus", "sort=name"])
def test_bad_tag_listing_queries_are_422(client: Client, user_token: str, query: str) -> None:
    assert get_json(client, f"{TAGS}?{query}", user_token).status_code == 422
