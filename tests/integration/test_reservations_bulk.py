"""Bulk reservations: all or nothing (one transaction, or chunks with compensation), dry
runs that write nothing, idempotent retries, and bulk cancel with per-id outcomes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reservations import HistoryEntry, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.reservations.bulk import BatchStatus
from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.booking import BookingDeps
from chalicelib.services.reservations.bulk import BulkService
from chalicelib.services.reservations.bulk_checks import BulkItem, BulkRequest
from chalicelib.services.reservations.idempotent import IdempotentCreates
from chalicelib.store.reservations.booking_tx import BookingTransactions, Occupation
from chalicelib.store.reservations.bulk import BulkStore
from chalicelib.store.reservations.idempotency import IdempotencyStore
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.writer import Booking, BookingWriter
from tests.factories import auth_headers
from tests.integration.reservations_kit import (
    RESERVATIONS,
    add_blackout,
    at,
    book,
    booked,
    cancel,
    create_resource,
    iso,
    send,
)

BULK = f"{RESERVATIONS}/bulk"
BULK_CANCEL = f"{BULK}/cancel"


@pytest.fixture
def rooms(clock: FrozenClock) -> list[str]:
    return [create_resource("room-1").resource_id, create_resource("room-2").resource_id]


def item(start: datetime, minutes: int = 60, resource_id: str = "room-1") -> dict[str, Any]:
    end = start + timedelta(minutes=minutes)
    return {"resource_id": resource_id, "start_time": iso(start), "end_time": iso(end)}


def post_bulk(
    client: Client,
    token: str | None,
    items: list[dict[str, Any]],
    key: str | None = None,
    **extra: Any,
) -> Any:
    headers = auth_headers(token) if token else {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    body = json.dumps({"items": items, **extra})
    return client.http.post(BULK, headers=headers, body=body)


def table_items(kind: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
    return [i for i in items if i.get("type", {}).get("S") == kind]


def everything() -> int:
    return len(boto3.client("dynamodb").scan(TableName="reserver-main")["Items"])


def failing(response: Any) -> list[tuple[int, str]]:
    return [(i["index"], i["code"]) for i in response.json_body["error"]["details"]["items"]]


def test_a_bulk_booking_books_every_item_across_resources(
    client: Client, rooms: list[str], user_token: str
) -> None:
    # When alice books three windows on two rooms at once
    items = [item(at(9)), item(at(11)), item(at(9), resource_id="room-2")]
    response = post_bulk(client, user_token, items)
    # Then all three are booked, in item order, and each occupies its slot
    assert response.status_code == 201, response.body
    body = response.json_body
    assert body["ok"] is True and body["dry_run"] is False and body["batch_id"]
    assert [(r["resource_id"], r["start_time"]) for r in body["reservations"]] == [
        ("room-1", iso_z(at(9))),
        ("room-1", iso_z(at(11))),
        ("room-2", iso_z(at(9))),
    ]
    assert [i["reservation_id"] for i in body["items"]] == [
        r["reservation_id"] for r in body["reservations"]
    ]
    assert book(client, user_token, at(11, 30), at(12), "room-1").status_code == 409
    [batch] = table_items("bulk_batch")
    assert batch["status"]["S"] == "complete" and "GSI2PK" not in batch


def test_a_dry_run_reports_every_item_and_writes_nothing(
    client: Client, rooms: list[str], user_token: str, other_user_token: str
) -> None:
    # Given bob holds room-1 at 10:00 and room-2 is closed tomorrow
    booked(client, other_user_token, at(10), at(11))
    add_blackout("room-2", at(10).date())
    before = everything()
    # When alice dry-runs a free window, bob's window and the closed room
    items = [item(at(8)), item(at(10, 30)), item(at(10), resource_id="room-2")]
    response = post_bulk(client, user_token, items, dry_run=True)
    # Then each item is reported (bob's private details withheld) and nothing was written
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["dry_run"] is True and body["ok"] is False and body["reservations"] == []
    assert [(i["index"], i["ok"]) for i in body["items"]] == [(0, True), (1, False), (2, False)]
    assert body["items"][1]["error"]["code"] == "reservation_conflict"
    assert body["items"][1]["error"]["conflicts"] == [
        {"start_time": iso_z(at(10)), "end_time": iso_z(at(11))}
    ]
    assert body["items"][2]["error"]["code"] == "blackout_date"
    assert everything() == before
    clean = post_bulk(client, user_token, [item(at(8))], dry_run=True)
    assert clean.status_code == 200 and clean.json_body["ok"] is True
    assert everything() == before


def test_one_taken_slot_refuses_the_whole_batch_and_names_every_failing_index(
    client: Client, rooms: list[str], user_token: str, other_user_token: str
) -> None:
    # Given bob holds room-1 10:00-11:00 and room-2 14:00-15:00
    booked(client, other_user_token, at(10), at(11))
    booked(client, other_user_token, at(14), at(15), resource_id="room-2")
    before = len(table_items("reservation"))
    # When alice asks for four windows, two of them taken
    items = [
        item(at(8)),
        item(at(10, 30)),
        item(at(16)),
        item(at(14), resource_id="room-2"),
    ]
    response = post_bulk(client, user_token, items)
    # Then 409 lists items 1 and 3, and nothing at all was booked
    assert response.status_code == 409, response.body
    assert response.json_body["error"]["code"] == "reservation_conflict"
    assert failing(response) == [(1, "reservation_conflict"), (3, "reservation_conflict")]
    assert len(table_items("reservation")) == before
    assert table_items("bulk_batch") == []


def test_mixed_problems_are_a_422_listing_each_item(
    client: Client, rooms: list[str], user_token: str, other_user_token: str
) -> None:
    booked(client, other_user_token, at(10), at(11))
    add_blackout("room-2", at(10).date())
    items = [
        item(at(8)),
        item(at(10)),  # bob's
        item(at(9), resource_id="room-2"),  # blackout
        item(at(9), resource_id="no-such-room"),
        {**item(at(9)), "end_time": iso(at(8))},  # ends before it starts
        item(at(9) - timedelta(days=2)),  # in the past
    ]
    response = post_bulk(client, user_token, items)
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"] == "bulk_rejected"
    assert failing(response) == [
        (1, "reservation_conflict"),
        (2, "blackout_date"),
        (3, "resource_not_found"),
        (4, "empty_range"),
        (5, "start_in_past"),
    ]
    assert [r["start_time"]["S"] for r in table_items("reservation")] == [iso_z(at(10))]


def test_items_that_overlap_each_other_are_refused(
    client: Client, rooms: list[str], user_token: str
) -> None:
    # When two items of the request overlap on room-1 (the same window on room-2 is fine)
    items = [item(at(9)), item(at(9, 30)), item(at(9), resource_id="room-2"), item(at(12))]
    response = post_bulk(client, user_token, items)
    # Then both overlapping items are named, each pointing at the other
    assert response.status_code == 422
    details = response.json_body["error"]["details"]["items"]
    assert [(i["index"], i["code"], i["overlaps_with"]) for i in details] == [
        (0, "overlaps_item", [1]),
        (1, "overlaps_item", [0]),
    ]
    assert table_items("reservation") == []


def test_sixty_items_are_written_in_chunks_and_retried_idempotently(
    client: Client, rooms: list[str], user_token: str
) -> None:
    # 60 daily windows: 60 x 3 items + 60 day versions, far beyond 100 per transaction
    items = [item(at(10) + timedelta(days=n)) for n in range(60)]
    first = post_bulk(client, user_token, items, key="bulk-60")
    assert first.status_code == 201, first.body
    assert len(first.json_body["reservations"]) == 60
    assert len(table_items("reservation")) == 60
    [batch] = table_items("bulk_batch")
    assert batch["status"]["S"] == "complete" and "GSI2PK" not in batch
    # When the same request is retried with the same key, Then it replays the first result
    again = post_bulk(client, user_token, items, key="bulk-60")
    assert again.status_code == 201, again.body
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json_body["batch_id"] == first.json_body["batch_id"]
    assert len(table_items("reservation")) == 60


def test_an_idempotent_retry_returns_the_first_result(
    client: Client, rooms: list[str], user_token: str
) -> None:
    items = [item(at(9)), item(at(9), resource_id="room-2")]
    first = post_bulk(client, user_token, items, key="k-1")
    again = post_bulk(client, user_token, items, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert [r["reservation_id"] for r in again.json_body["reservations"]] == [
        r["reservation_id"] for r in first.json_body["reservations"]
    ]
    assert len(table_items("reservation")) == 2
    # The same key with another body is refused
    other = post_bulk(client, user_token, [item(at(15))], key="k-1")
    assert other.status_code == 422
    assert other.json_body["error"]["code"] == "idempotency_key_reused"


class RaceOnSecondChunk(BookingTransactions):
    """After the first chunk committed, a rival books a slot of a later chunk: just before
    the second transaction, i.e. after the pre-check read the versions and occupants the
    chunks reuse (bulk16), so only the day versions in the transaction can catch it."""

    def __init__(self, rival: Reservation) -> None:
        super().__init__(sleep=lambda _: None)
        self.rival, self.occupations = rival, 0

    def occupy(self, occupation: Occupation) -> None:
        self.occupations += 1
        if self.occupations == 2:
            entry = HistoryEntry(occupation.now, "rival", "created")
            BookingWriter(SequentialIds("rv")).create([Booking(self.rival, entry, Buffers())])
        super().occupy(occupation)


def test_a_rival_landing_between_chunks_leaves_nothing_booked(
    client: Client, rooms: list[str], clock: FrozenClock
) -> None:
    # Given 60 daily windows (three chunks) and a rival that takes day 40 after chunk 1
    day_40 = at(10) + timedelta(days=40)
    rival = Reservation(
        "rival-1",
        "room-1",
        "bob",
        TimeRange(day_40, day_40 + timedelta(hours=1)),
        ReservationStatus.ACTIVE,
        clock.now(),
    )
    writer = BookingWriter(SequentialIds("h"), transactions=RaceOnSecondChunk(rival))
    service = BulkService(
        BookingDeps(
            wiring.resource_store(),
            ReservationStore(),
            clock,
            writer,
            IdempotentCreates(IdempotencyStore(), clock),
            SequentialIds("b"),
        ),
        BulkStore(),
    )
    alice = Principal("alice-id", "alice", frozenset({Role.USER}))
    windows = [at(10) + timedelta(days=n) for n in range(60)]
    request = BulkRequest(tuple(BulkItem("room-1", w, w + timedelta(hours=1)) for w in windows))
    # When alice books them in bulk
    with pytest.raises(Conflict) as refused:
        service.create(alice, request)
    # Then she is told which item collided, and holds nothing
    assert [i["index"] for i in refused.value.details["items"]] == [40]
    mine = [i for i in table_items("reservation") if i["user_id"]["S"] == "alice-id"]
    assert mine and {i["status"]["S"] for i in mine} == {"cancelled"}
    assert [s["reservation_id"]["S"] for s in table_items("occupancy")] == ["rival-1"]
    [batch] = table_items("bulk_batch")
    assert batch["status"]["S"] == BatchStatus.FAILED.value and "GSI2PK" not in batch


def test_bulk_cancel_reports_each_id(
    client: Client, rooms: list[str], user_token: str, other_user_token: str, admin_token: str
) -> None:
    # Given alice holds two bookings (one already cancelled) and bob one
    mine = booked(client, user_token, at(9), at(10))
    gone = booked(client, user_token, at(11), at(12))
    assert cancel(client, user_token, gone).status_code == 200
    bobs = booked(client, other_user_token, at(13), at(14))
    # When alice bulk-cancels all of them plus an unknown id
    ids = [mine, gone, bobs, "nope", mine]
    response = send(
        client, "POST", BULK_CANCEL, user_token, {"reservation_ids": ids, "reason": "x"}
    )
    # Then each is reported once; bob's is invisible to her and untouched
    assert response.status_code == 200, response.body
    assert response.json_body["cancelled"] == 1
    assert [(r["reservation_id"], r["outcome"]) for r in response.json_body["results"]] == [
        (mine, "cancelled"),
        (gone, "already_cancelled"),
        (bobs, "not_found"),
        ("nope", "not_found"),
    ]
    assert book(client, user_token, at(9), at(10)).status_code == 201
    assert book(client, user_token, at(13), at(14)).status_code == 409
    # When an admin cancels bob's, Then it is cancelled on his behalf
    by_admin = send(client, "POST", BULK_CANCEL, admin_token, {"reservation_ids": [bobs]})
    assert by_admin.json_body["results"] == [
        {"reservation_id": bobs, "outcome": "cancelled", "status": "cancelled"}
    ]


def test_who_may_call_and_what_is_refused(
    client: Client, rooms: list[str], user_token: str, admin_token: str
) -> None:
    add_blackout("room-1", at(10).date())
    # Anonymous: 401 on both routes
    assert post_bulk(client, None, [item(at(9))]).status_code == 401
    assert send(client, "POST", BULK_CANCEL, None, {"reservation_ids": ["x"]}).status_code == 401
    # A user may not override; an admin may
    assert post_bulk(client, user_token, [item(at(9))], override=True).status_code == 403
    assert post_bulk(client, user_token, [item(at(9))]).status_code == 422
    overridden = post_bulk(client, admin_token, [item(at(9))], override=True)
    assert overridden.status_code == 201, overridden.body
    assert overridden.json_body["reservations"][0]["override_by"]
    # Malformed requests are 422 before anything is read
    too_many = [item(at(9) + timedelta(days=n)) for n in range(101)]
    naive = {**item(at(9)), "start_time": "2026-11-25T09:00:00"}
    for bad in ([], too_many, [naive], [{**item(at(9)), "colour": "red"}]):
        assert post_bulk(client, user_token, bad).status_code == 422
    assert post_bulk(client, user_token, [item(at(9))], key="\n").status_code == 422
    for body in ({"reservation_ids": []}, {"reservation_ids": ["x"] * 101}, {}):
        assert send(client, "POST", BULK_CANCEL, user_token, body).status_code == 422
