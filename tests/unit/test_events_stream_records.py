"""Stream records (Lambda's shape) -> ItemChange: plain values, TTL removals, precise times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from ulid import ULID

from chalicelib.integrations.stream_records import UnreadableRecord, change_from_record, plain

FALLBACK = datetime(2030, 1, 1, tzinfo=UTC)
WRITTEN = datetime(2026, 11, 24, 9, 15, 30, 123000, tzinfo=UTC)


def record(
    kind: str, *, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    ddb: dict[str, Any] = {
        "Keys": {"PK": {"S": "X#1"}},
        "SequenceNumber": "1",
        "ApproximateCreationDateTime": 1795510800.0,
    }  # 09:00:00
    if new is not None:
        ddb["NewImage"] = new
    if old is not None:
        ddb["OldImage"] = old
    return {"eventID": "ev-1", "eventName": kind, "dynamodb": ddb, **extra}


def test_images_become_plain_json_values() -> None:
    change = change_from_record(
        record(
            "INSERT",
            new={
                "PK": {"S": "X#1"},
                "n": {"N": "3"},
                "f": {"N": "1.5"},
                "ok": {"BOOL": True},
                "tags": {"SS": ["b", "a"]},
                "none": {"NULL": True},
                "m": {"M": {"k": {"N": "1"}}},
            },
        ),
        fallback_now=FALLBACK,
    )
    assert change.new == {
        "PK": "X#1",
        "n": 3,
        "f": 1.5,
        "ok": True,
        "tags": ["a", "b"],
        "none": None,
        "m": {"k": 1},
    }
    assert change.kind == "INSERT" and change.record_id == "ev-1"
    assert plain(Decimal("2")) == 2 and plain(b"\x00") == "AA=="


def test_a_fresh_stamp_dates_the_change_to_the_millisecond() -> None:
    write_id = str(ULID.from_datetime(WRITTEN))
    change = change_from_record(
        record("INSERT", new={"PK": {"S": "X#1"}, "audit_write_id": {"S": write_id}}),
        fallback_now=FALLBACK,
    )
    assert change.at == WRITTEN


def test_unstamped_and_removed_items_use_the_stream_time() -> None:
    write_id = {"S": str(ULID.from_datetime(WRITTEN))}
    unchanged = change_from_record(
        record("MODIFY", old={"audit_write_id": write_id}, new={"audit_write_id": write_id}),
        fallback_now=FALLBACK,
    )
    assert unchanged.at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    removed = change_from_record(
        record("REMOVE", old={"audit_write_id": write_id}), fallback_now=FALLBACK
    )
    assert removed.at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_ttl_removals_are_recognised() -> None:
    identity = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    change = change_from_record(
        record("REMOVE", old={"PK": {"S": "X#1"}}, userIdentity=identity), fallback_now=FALLBACK
    )
    assert change.by_ttl


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"eventName": "INSERT"},
        {"eventName": "TRUNCATE", "dynamodb": {}},
        {"eventName": "INSERT", "dynamodb": {}},
    ],
)
def test_records_without_their_parts_are_unreadable(raw: dict[str, Any]) -> None:
    with pytest.raises(UnreadableRecord):
        change_from_record(raw, fallback_now=FALLBACK)
