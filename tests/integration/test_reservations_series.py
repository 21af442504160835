"""Recurring series: all occurrences or none, in chunks beyond one transaction, rolled back
when a later chunk loses a race."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
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
from chalicelib.domain.reservations.bulk import STUCK_AFTER
from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.domain.reservations.series import SeriesStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.booking import BookingDeps
from chalicelib.services.reservations.idempotent import IdempotentCreates
from chalicelib.services.reservations.series import SeriesRequest, SeriesService
from chalicelib.store.reservations.booking_tx import BookingTransactions, Snapshot
from chalicelib.store.reservations.idempotency import IdempotencyStore
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.series import SeriesStore
from chalicelib.store.reservations.writer import Booking, BookingWriter
from tests.factories import auth_headers
from tests.integration.reservations_kit import (
    RESERVATIONS,
    add_blackout,
    at,
    book,
    booked,
    create_resource,
    iso,
    send,
)

RECURRING = f"{RESERVATIONS}/recurring"


@pytest.fixture
def room(clock: FrozenClock) -> str:
    return create_resource("room-1").resource_id


def series_body(start: datetime, minutes: int = 60, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resource_id": "room-1",
        "start_time": iso(start),
        "end_time": iso(start + timedelta(minutes=minutes)),
    }
    if "recurrence" not in extra:
        body["rrule"] = "FREQ=WEEKLY;COUNT=4"
    return {**body, **extra}


def create(client: Client, token: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = auth_headers(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.http.post(RECURRING, headers=headers, body=json.dumps(body))


def reservation_items() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
    return [i for i in items if i.get("type", {}).get("S") == "reservation"]


def test_a_weekly_series_books_every_occurrence(client: Client, room: str, user_token: str) -> None:
    # When alice books Wednesdays 10:00-11:00, four times
    response = create(client, user_token, series_body(at(10)))
    # Then the series is active with four weekly occurrences that each occupy their slot
    assert response.status_code == 201, response.body
    series = response.json_body
    assert series["status"] == "active"
    assert response.headers["Location"] == f"/api/v1/series/{series['series_id']}"
    starts = [o["start_time"] for o in series["occurrences"]]
    assert starts == [iso_z(at(10) + timedelta(weeks=n)) for n in range(4)]
    assert {o["series_id"] for o in series["occurrences"]} == {series["series_id"]}
    third = at(10) + timedelta(weeks=2, minutes=30)
    assert book(client, user_token, third, third + timedelta(hours=1)).status_code == 409


def test_the_old_simple_form_is_accepted(client: Client, room: str, user_token: str) -> None:
    recurrence = {"frequency": "weekly", "days_of_week": [0, 2], "end": {"count": 4}}
    response = create(client, user_token, series_body(at(10), recurrence=recurrence))
    assert response.status_code == 201, response.body
    weekdays = [
        datetime.fromisoformat(o["start_time"]).weekday() for o in response.json_body["occurrences"]
    ]
    assert weekdays == [2, 0, 2, 0]


def test_one_taken_occurrence_refuses_the_whole_series_and_writes_nothing(
    client: Client, room: str, user_token: str, other_user_token: str
) -> None:
    # Given bob holds the third Wednesday
    third = at(10) + timedelta(weeks=2)
    booked(client, other_user_token, third, third + timedelta(hours=1))
    before = len(reservation_items())
    # When alice asks for the series
    response = create(client, user_token, series_body(at(10)))
    # Then 409 names occurrence 2 (0-based) without bob's details, and nothing was written
    assert response.status_code == 409
    details = response.json_body["error"]["details"]
    assert [o["occurrence"] for o in details["occurrences"]] == [2]
    assert details["occurrences"][0]["conflicts"] == [
        {"start_time": iso_z(third), "end_time": iso_z(third + timedelta(hours=1))}
    ]
    assert len(reservation_items()) == before


def test_skip_conflicts_books_the_free_occurrences_and_reports_the_taken_ones(
    client: Client, room: str, user_token: str, other_user_token: str
) -> None:
    # Given bob holds the third Wednesday
    third = at(10) + timedelta(weeks=2)
    booked(client, other_user_token, third, third + timedelta(hours=1))
    # When alice asks for the series with conflict_policy skip_conflicts
    body = series_body(at(10), conflict_policy="skip_conflicts")
    response = create(client, user_token, body)
    # Then the three free occurrences are booked and the taken one is reported, not booked
    assert response.status_code == 201, response.body
    series = response.json_body
    starts = [o["start_time"] for o in series["occurrences"]]
    assert starts == [iso_z(at(10) + timedelta(weeks=n)) for n in (0, 1, 3)]
    assert [s["occurrence"] for s in series["skipped"]] == [2]
    assert series["skipped"][0]["conflicts"] == [
        {"start_time": iso_z(third), "end_time": iso_z(third + timedelta(hours=1))}
    ]
    # And when every occurrence is taken, skipping leaves nothing: 409 as before
    again = create(client, user_token, series_body(at(10), conflict_policy="skip_conflicts"))
    assert again.status_code == 409
    bad = create(client, user_token, series_body(at(10), conflict_policy="maybe"))
    assert bad.status_code == 422


def test_rule_breaks_are_listed_per_occurrence_and_admins_may_override(
    client: Client, room: str, user_token: str, admin_token: str
) -> None:
    # Given a blackout on the second Wednesday
    add_blackout(room, (at(10) + timedelta(weeks=1)).date())
    response = create(client, user_token, series_body(at(10)))
    assert response.status_code == 422
    error = response.json_body["error"]
    assert error["code"] == "series_rule_violation"
    assert [(o["occurrence"], o["code"]) for o in error["details"]["occurrences"]] == [
        (1, "blackout_date")
    ]
    assert create(client, user_token, series_body(at(10), override=True)).status_code == 403
    overridden = create(client, admin_token, series_body(at(10), override=True))
    assert overridden.status_code == 201
    assert all(o["override_by"] for o in overridden.json_body["occurrences"])


def test_occurrences_that_overlap_each_other_are_refused(
    client: Client, room: str, user_token: str
) -> None:
    body = series_body(at(10), minutes=25 * 60, rrule="FREQ=DAILY;COUNT=3")
    response = create(client, user_token, body)
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == "series_self_overlap"


def test_a_series_larger_than_one_transaction_is_written_in_chunks(
    client: Client, room: str, user_token: str
) -> None:
    # 60 daily occurrences: 60 x 3 items + 60 day versions, far beyond 100 per transaction
    body = series_body(at(10), rrule="FREQ=DAILY;COUNT=60")
    response = create(client, user_token, body)
    assert response.status_code == 201, response.body
    assert len(response.json_body["occurrences"]) == 60
    assert len(reservation_items()) == 60


def test_bad_series_requests_are_4xx(client: Client, room: str, user_token: str) -> None:
    both = {**series_body(at(10)), "recurrence": {"frequency": "daily", "end": {"count": 2}}}
    assert create(client, user_token, both).status_code == 422
    neither = {k: v for k, v in series_body(at(10)).items() if k != "rrule"}
    assert create(client, user_token, neither).status_code == 422
    hourly = series_body(at(10), rrule="FREQ=HOURLY;COUNT=3")
    assert create(client, user_token, hourly).status_code == 422
    too_many = series_body(at(10), rrule="FREQ=DAILY;COUNT=101")
    assert create(client, user_token, too_many).status_code == 422
    naive = {**series_body(at(10)), "start_time": "2026-11-25T10:00:00"}
    assert create(client, user_token, naive).status_code == 422
    assert send(client, "POST", RECURRING, None, series_body(at(10))).status_code == 401


def test_idempotent_retry_returns_the_same_series(
    client: Client, room: str, user_token: str
) -> None:
    first = create(client, user_token, series_body(at(10)), key="series-1")
    again = create(client, user_token, series_body(at(10)), key="series-1")
    assert again.status_code == 201
    assert again.json_body["series_id"] == first.json_body["series_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(reservation_items()) == 4


def test_read_and_cancel_a_series(
    client: Client,
    room: str,
    clock: FrozenClock,
    user_token: str,
    other_user_token: str,
    admin_token: str,
) -> None:
    series = create(client, user_token, series_body(at(10))).json_body
    path = f"/api/v1/series/{series['series_id']}"
    # Owner and admin may read it; anyone else gets 404
    assert send(client, "GET", path, user_token).status_code == 200
    assert send(client, "GET", path, admin_token).status_code == 200
    assert send(client, "GET", path, other_user_token).status_code == 404
    assert send(client, "POST", f"{path}/cancel", other_user_token, {}).status_code == 404
    # When alice cancels it, Then every occurrence is cancelled and the slots are free
    response = send(client, "POST", f"{path}/cancel", user_token, {"reason": "term ended"})
    assert response.status_code == 200, response.body
    assert response.json_body["status"] == "cancelled"
    assert {o["status"] for o in response.json_body["occurrences"]} == {"cancelled"}
    assert book(client, other_user_token, at(10), at(11)).status_code == 201
    again = send(client, "POST", f"{path}/cancel", user_token, {"reason": "again"})
    assert again.status_code == 409
    assert again.json_body["error"]["code"] == "already_cancelled"


def test_cancel_this_and_following_keeps_the_earlier_occurrences(
    client: Client, room: str, clock: FrozenClock, user_token: str
) -> None:
    # Given a series of four weekly occurrences
    series = create(client, user_token, series_body(at(10))).json_body
    path = f"/api/v1/series/{series['series_id']}/cancel"
    occurrences = sorted(series["occurrences"], key=lambda o: o["start_time"])
    third = occurrences[2]["reservation_id"]
    # When the owner cancels the third occurrence "and following"
    body = {"scope": "following", "from_reservation_id": third, "reason": "moved"}
    response = send(client, "POST", path, user_token, body)
    # Then the first two stay booked, the rest are cancelled, and the series stays active
    assert response.status_code == 200, response.body
    by_id = {o["reservation_id"]: o["status"] for o in response.json_body["occurrences"]}
    assert [by_id[o["reservation_id"]] for o in occurrences] == [
        "active",
        "active",
        "cancelled",
        "cancelled",
    ]
    assert response.json_body["status"] == "active"
    # And a reservation that is not part of the series, or a missing pivot, is refused
    wrong = send(client, "POST", path, user_token, {**body, "from_reservation_id": "nope"})
    assert wrong.status_code == 404
    assert wrong.json_body["error"]["code"] == "occurrence_not_in_series"
    missing = send(client, "POST", path, user_token, {"scope": "following"})
    assert missing.status_code == 422


class RaceOnSecondChunk(BookingTransactions):
    """After the first chunk committed, a rival books a slot of the second chunk."""

    def __init__(self, rival: Reservation) -> None:
        super().__init__(sleep=lambda _: None)
        self.rival, self.snapshots = rival, 0

    def snapshot(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> Snapshot:
        taken = super().snapshot(resource_id, windows, buffers, now)
        self.snapshots += 1
        if self.snapshots == 2:
            entry = HistoryEntry(now, "rival", "created")
            BookingWriter(SequentialIds("rv")).create([Booking(self.rival, entry, buffers)])
        return taken


def test_losing_a_race_in_a_later_chunk_rolls_the_whole_series_back(
    client: Client, room: str, clock: FrozenClock
) -> None:
    # Given a daily series of 60 (three chunks) and a rival that takes day 40 after chunk 1
    day_40 = at(10) + timedelta(days=40)
    rival = Reservation(
        "rival-1",
        "room-1",
        "bob",
        TimeRange(day_40, day_40 + timedelta(hours=1)),
        ReservationStatus.ACTIVE,
        clock.now(),
    )
    racing = BookingWriter(SequentialIds("h"), wiring.resource_store(), RaceOnSecondChunk(rival))
    service = SeriesService(
        BookingDeps(
            wiring.resource_store(),
            ReservationStore(),
            clock,
            racing,
            IdempotentCreates(IdempotencyStore(), clock),
            SequentialIds("s"),
        ),
        SeriesStore(),
    )
    alice = Principal("alice-id", "alice", frozenset({Role.USER}))
    request = SeriesRequest("room-1", at(10), at(11), rrule="FREQ=DAILY;COUNT=60")
    # When alice books it
    with pytest.raises(Conflict) as refused:
        service.create(alice, request)
    # Then she is told which occurrence collided, and holds nothing
    assert [o["occurrence"] for o in refused.value.details["occurrences"]] == [40]
    mine = [i for i in reservation_items() if i["user_id"]["S"] == "alice-id"]
    assert mine and {i["status"]["S"] for i in mine} == {"cancelled"}
    series_id = mine[0]["series_id"]["S"]
    stored = SeriesStore().get(series_id)
    assert stored is not None and stored.status == SeriesStatus.FAILED
    slots = [
        i
        for i in boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
        if i["SK"]["S"].startswith("SLOT#")
    ]
    assert [s["reservation_id"]["S"] for s in slots] == ["rival-1"]


class RecoveryAfterFirstChunk(BookingTransactions):
    """The request stalls after its first chunk: long enough for the recovery job to roll
    the series back before the second chunk is written."""

    def __init__(self, clock: FrozenClock) -> None:
        super().__init__(sleep=lambda _: None)
        self.clock, self.snapshots = clock, 0

    def snapshot(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> Snapshot:
        self.snapshots += 1
        if self.snapshots == 2:
            self.clock.advance(STUCK_AFTER + timedelta(minutes=1))
            wiring.recovery().recover()
        return super().snapshot(resource_id, windows, buffers, now)


def test_a_series_rolled_back_by_recovery_mid_write_books_nothing_more(
    client: Client, room: str, clock: FrozenClock
) -> None:
    # Given a series of 60 (three chunks) whose writer stalls after chunk 1 until recovery ran
    writer = BookingWriter(
        SequentialIds("h"), wiring.resource_store(), RecoveryAfterFirstChunk(clock)
    )
    service = SeriesService(
        BookingDeps(
            wiring.resource_store(),
            ReservationStore(),
            clock,
            writer,
            IdempotentCreates(IdempotencyStore(), clock),
            SequentialIds("s"),
        ),
        SeriesStore(),
    )
    alice = Principal("alice-id", "alice", frozenset({Role.USER}))
    request = SeriesRequest("room-1", at(10), at(11), rrule="FREQ=DAILY;COUNT=60")
    # When the writer resumes, Then its next chunk is refused by the fence, and it says so
    with pytest.raises(Conflict) as interrupted:
        service.create(alice, request)
    assert interrupted.value.code == "series_interrupted"
    # And nothing of the series occupies the room; the series is failed (by recovery)
    slots = [
        i
        for i in boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
        if i["SK"]["S"].startswith("SLOT#")
    ]
    assert slots == []
    mine = reservation_items()
    assert mine and {i["status"]["S"] for i in mine} == {"cancelled"}
    stored = SeriesStore().get(mine[0]["series_id"]["S"])
    assert stored is not None and stored.status == SeriesStatus.FAILED


def test_series_keep_local_time_across_dst(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    # Given a Berlin room, When a weekly 09:00 series crosses the end of March DST switch
    from chalicelib.domain.catalog.resources import Resource

    created = datetime(2026, 1, 1, tzinfo=UTC)
    wiring.resource_store().create(
        Resource(
            "berlin",
            "Berlin room",
            timezone="Europe/Berlin",
            created_at=created,
            updated_at=created,
        )
    )
    start = datetime(2027, 3, 17, 8, 0, tzinfo=UTC)  # 09:00 CET
    body = {**series_body(start), "resource_id": "berlin"}
    response = create(client, user_token, body)
    assert response.status_code == 201, response.body
    starts = [o["start_time"][11:16] for o in response.json_body["occurrences"]]
    # Then 09:00 local stays 09:00: 08:00Z in winter, 07:00Z from 28 March
    assert starts == ["08:00", "08:00", "07:00", "07:00"]
