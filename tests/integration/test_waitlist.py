"""The waitlist in-process (moto + chalice.test.Client), with the event pipeline driven as
Lambda would (tests/integration/pipeline_driver.py): join, offers, accept, decline, leave,
expiry, auto-book, rules at accept, and bad input answered with 4xx JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.domain.waitlist.triggers import Freed
from chalicelib.services.waitlist.fit import Fit
from chalicelib.services.waitlist.offers import OfferService
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.waitlist.repository import WaitlistStore
from tests.factories import login
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import mail_to, notifications, person, text_of
from tests.integration.reservations_kit import (
    TOMORROW,
    at,
    booked,
    cancel,
    create_resource,
    reschedule,
    send,
)
from tests.integration.waitlist_kit import WAITLIST, act, entry, join, joined


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    yield Pipeline(app)


def settle(pipeline: Pipeline) -> None:
    pipeline.run()


def error_code(response: Any) -> str:
    return str(response.json_body["error"]["code"])


def test_cancel_offers_the_window_to_the_first_in_line_who_accepts(
    client: Client, pipeline: Pipeline
) -> None:
    # Given ada holds 10-11 and bob, then cy, wait for it
    ada, bob, cy = (person(client, n) for n in ("ada", "bob", "cyd"))
    rid = booked(client, ada.token, at(10), at(11))
    first = joined(client, bob.token, at(10), at(11))
    second = joined(client, cy.token, at(10), at(11))
    assert (first["position"], second["position"]) == (1, 2)
    settle(pipeline)
    # When ada cancels and the pipeline runs
    assert cancel(client, ada.token, rid).status_code == 200
    settle(pipeline)
    # Then bob holds an offer (a held reservation), cy still waits
    offered = entry(client, bob.token, first["entry_id"])
    assert offered["status"] == "offered"
    assert offered["offer"]["expires_at"] == "2026-11-24T09:30:00.000Z"
    hold = send(
        client, "GET", f"/api/v1/reservations/{offered['offer']['reservation_id']}", bob.token
    )
    assert hold.json_body["status"] == "held"
    assert entry(client, cy.token, second["entry_id"])["status"] == "waiting"
    # and a direct booking of the window is refused while the hold stands
    assert (
        send(client, "POST", "/api/v1/reservations", cy.token, _booking(10, 11)).status_code == 409
    )
    # and bob heard of it in-app and by email, with the link to the entry
    assert "waitlist.offered" in [n["kind"] for n in notifications(client, bob.token)["items"]]
    [mail] = [m for m in mail_to(bob.email or "") if "A slot is free" in str(m["Subject"])]
    assert f"#/waitlist/{first['entry_id']}" in text_of(mail)
    # When bob accepts
    accepted = act(client, bob.token, first["entry_id"], "accept")
    # Then the hold is his active reservation and the entry is booked
    assert accepted.status_code == 200, accepted.body
    assert accepted.json_body["reservation"]["status"] == "active"
    assert accepted.json_body["entry"]["status"] == "booked"
    settle(pipeline)
    assert entry(client, cy.token, second["entry_id"])["status"] == "waiting"


def test_decline_and_expiry_pass_the_window_down_the_queue(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    ttl = {"offer_ttl_minutes": 10}  # under the access tokens' 15 minutes
    assert (
        send(client, "PUT", "/api/v1/resources/room-1/waitlist", admin_token, ttl).status_code
        == 200
    )
    ada, bob, cy, dee = (person(client, n) for n in ("ada", "bob", "cyd", "deb"))
    rid = booked(client, ada.token, at(10), at(11))
    b, c, d = (joined(client, p.token, at(10), at(11)) for p in (bob, cy, dee))
    cancel(client, ada.token, rid)
    settle(pipeline)
    # When bob declines, cy gets the offer
    assert act(client, bob.token, b["entry_id"], "decline").status_code == 200
    settle(pipeline)
    assert entry(client, bob.token, b["entry_id"])["status"] == "declined"
    assert entry(client, cy.token, c["entry_id"])["status"] == "offered"
    # When cy lets it lapse (the expiry job runs after the deadline), dee gets it
    clock.advance(timedelta(minutes=11))
    assert wiring.jobs().run("expire-waitlist-offers").result == {"lapsed": 1, "skipped": 0}
    settle(pipeline)
    assert entry(client, cy.token, c["entry_id"])["status"] == "lapsed"
    assert entry(client, dee.token, d["entry_id"])["status"] == "offered"
    # and a late accept by cy is refused
    assert error_code(act(client, cy.token, c["entry_id"], "accept")) == "no_offer"


class DeclineDuringThePass:
    """The reservation store as a worker's pass sees it, with the first in line's decline
    landing (through the API) right after the pass's first read of the occupants: the
    interleaving that gave the window to the third in line on the running stack."""

    def __init__(self, decline: Callable[[], None]) -> None:
        self._store = ReservationStore()
        self._decline: Callable[[], None] | None = decline

    def get(self, reservation_id: str) -> Reservation | None:
        return self._store.get(reservation_id)

    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]:
        read = self._store.occupants(resource_id, windows, buffers, now)
        if self._decline is not None:
            decline, self._decline = self._decline, None
            decline()
        return read


def test_a_window_released_during_a_pass_is_offered_in_queue_order(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given bob holds the offer for 10-11, cy then dee wait behind him
    ada, bob, cy, dee = (person(client, n) for n in ("ada", "bob", "cyd", "deb"))
    rid = booked(client, ada.token, at(10), at(11))
    b, c, d = (joined(client, p.token, at(10), at(11)) for p in (bob, cy, dee))
    cancel(client, ada.token, rid)
    settle(pipeline)
    assert entry(client, bob.token, b["entry_id"])["status"] == "offered"

    # When a late pass over the queue (dee's join event, say) runs while bob declines
    def decline() -> None:
        assert act(client, bob.token, b["entry_id"], "decline").status_code == 200

    holds = DeclineDuringThePass(decline)
    offers = OfferService(
        entries=WaitlistStore(),
        holds=holds,
        writer=wiring.booking_writer(),
        catalog=wiring.resource_store(),
        fit=Fit(wiring.resource_store(), holds),
        reads=wiring.waitlist(),
        clock=clock,
        ids=wiring.ids(),
    )
    made = offers.offer_freed(Freed("room-1", TimeRange(at(10), at(11))))

    # Then that pass, which saw the window held, offers it to nobody
    assert made == 0
    assert entry(client, dee.token, d["entry_id"])["status"] == "waiting"
    # and the decline's own pass offers it to cy, next in line, not to dee
    settle(pipeline)
    assert entry(client, cy.token, c["entry_id"])["status"] == "offered"
    assert entry(client, dee.token, d["entry_id"])["status"] == "waiting"


def test_auto_book_entries_are_booked_without_an_offer(client: Client, pipeline: Pipeline) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    rid = booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11), auto_book=True)
    cancel(client, ada.token, rid)
    settle(pipeline)
    done = entry(client, bob.token, e["entry_id"])
    assert done["status"] == "booked" and done["offer"] is None
    booking = send(client, "GET", f"/api/v1/reservations/{done['reservation_id']}", bob.token)
    assert booking.json_body["status"] == "active"


def test_a_flexible_wish_gets_the_freed_part_of_its_range(
    client: Client, pipeline: Pipeline
) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    first = booked(client, ada.token, at(9), at(10))
    booked(client, ada.token, at(10), at(12))
    e = joined(client, bob.token, at(9), at(12), duration_minutes=60)
    assert e["duration_minutes"] == 60 and e["status"] == "waiting"
    cancel(client, ada.token, first)
    settle(pipeline)
    offer = entry(client, bob.token, e["entry_id"])["offer"]
    assert (offer["start_time"], offer["end_time"]) == (
        "2026-11-25T09:00:00.000Z",
        "2026-11-25T10:00:00.000Z",
    )


def test_a_reschedule_frees_the_old_window(client: Client, pipeline: Pipeline) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    rid = booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11))
    assert reschedule(client, ada.token, rid, at(14), at(15)).status_code == 200
    settle(pipeline)
    assert entry(client, bob.token, e["entry_id"])["status"] == "offered"


def test_a_rule_failing_at_accept_skips_the_entry_with_its_reason(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada, bob, cy = (person(client, n) for n in ("ada", "bob", "cyd"))
    rid = booked(client, ada.token, at(10), at(11))
    b = joined(client, bob.token, at(10), at(11))
    cancel(client, ada.token, rid)
    settle(pipeline)
    # Given a blackout lands on the day after the offer was made
    _blackout(client, admin_token)
    c = join(client, cy.token, at(10), at(11))
    assert c.status_code == 422  # nobody new may queue for a blacked-out day
    # When bob accepts, Then the rule refuses it and the entry keeps waiting with the reason
    refused = act(client, bob.token, b["entry_id"], "accept")
    assert refused.status_code == 422 and error_code(refused) == "blackout_date"
    after = entry(client, bob.token, b["entry_id"])
    assert after["status"] == "waiting" and "Holiday" in after["reason"]
    assert after["offer"] is None


def _blackout(client: Client, admin_token: str) -> None:
    body = {
        "start_date": TOMORROW.isoformat(),
        "end_date": TOMORROW.isoformat(),
        "reason": "Holiday",
    }
    response = send(client, "POST", "/api/v1/resources/room-1/blackouts", admin_token, body)
    assert response.status_code == 201, response.body


def test_leaving_with_an_open_offer_releases_it_to_the_next(
    client: Client, pipeline: Pipeline
) -> None:
    ada, bob, cy = (person(client, n) for n in ("ada", "bob", "cyd"))
    rid = booked(client, ada.token, at(10), at(11))
    b, c = joined(client, bob.token, at(10), at(11)), joined(client, cy.token, at(10), at(11))
    cancel(client, ada.token, rid)
    settle(pipeline)
    left = act(client, bob.token, b["entry_id"], "leave")
    assert left.status_code == 200 and left.json_body["status"] == "left"
    settle(pipeline)
    assert entry(client, cy.token, c["entry_id"])["status"] == "offered"
    assert error_code(act(client, bob.token, b["entry_id"], "leave")) == "entry_closed"


def test_join_refusals(client: Client, pipeline: Pipeline) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    booked(client, ada.token, at(10), at(11))
    # a free slot: book it now
    free = join(client, bob.token, at(14), at(15))
    assert free.status_code == 409 and error_code(free) == "slot_available"
    assert free.json_body["error"]["details"]["start_time"] == "2026-11-25T14:00:00.000Z"
    # twice for overlapping windows
    joined(client, bob.token, at(10), at(11))
    again = join(client, bob.token, at(10, 30), at(11))
    assert again.status_code == 409 and error_code(again) == "already_waiting"
    # unknown resource, bad input
    assert join(client, bob.token, at(10), at(11), resource_id="nope").status_code == 404
    for bad in (
        {"duration_minutes": 120},
        {"duration_minutes": 0},
        {"unknown": 1},
    ):
        response = join(client, bob.token, at(10), at(11), **bad)
        assert response.status_code == 422 and "error" in response.json_body, bad
    naive_body = {
        "resource_id": "room-1",
        "start_time": "2026-11-25T10:00:00",
        "end_time": "2026-11-25T11:00:00",
    }
    naive = send(client, "POST", WAITLIST, bob.token, naive_body)
    assert naive.status_code == 422
    backwards = join(client, bob.token, at(11), at(10))
    assert backwards.status_code == 422 and error_code(backwards) == "empty_range"
    malformed = client.http.request(
        "POST",
        WAITLIST,
        headers={"Authorization": f"Bearer {bob.token}", "Content-Type": "application/json"},
        body=b"{",
    )
    assert malformed.status_code == 400


def test_reads_positions_and_the_resource_queue(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada, bob, cy = (person(client, n) for n in ("ada", "bob", "cyd"))
    booked(client, ada.token, at(10), at(11))
    joined(client, bob.token, at(10), at(11))
    c = joined(client, cy.token, at(10), at(11))
    mine = send(client, "GET", WAITLIST, cy.token).json_body
    assert [(i["entry_id"], i["position"]) for i in mine["items"]] == [(c["entry_id"], 2)]
    # others see counts only; admins see who
    counts = send(client, "GET", f"{WAITLIST}/resource/room-1", cy.token).json_body
    assert (counts["waiting"], counts["my_positions"], counts["entries"]) == (2, [2], None)
    full = send(client, "GET", f"{WAITLIST}/resource/room-1", admin_token).json_body
    assert [e["position"] for e in full["entries"]] == [1, 2]
    # another user's entry is not found; unknown ids too
    assert send(client, "GET", f"{WAITLIST}/{c['entry_id']}", bob.token).status_code == 404
    assert send(client, "GET", f"{WAITLIST}/01NOSUCH", cy.token).status_code == 404
    assert send(client, "GET", f"{WAITLIST}/resource/nope", cy.token).status_code == 404
    assert send(client, "GET", f"{WAITLIST}?limit=0", cy.token).status_code == 422
    assert error_code(act(client, cy.token, c["entry_id"], "accept")) == "no_offer"
    assert error_code(act(client, cy.token, c["entry_id"], "decline")) == "no_offer"


def test_admins_set_the_offer_ttl(client: Client, pipeline: Pipeline, admin_token: str) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    path = "/api/v1/resources/room-1/waitlist"
    assert send(client, "PUT", path, bob.token, {"offer_ttl_minutes": 5}).status_code == 403
    assert send(client, "PUT", path, admin_token, {"offer_ttl_minutes": 0}).status_code == 422
    done = send(client, "PUT", path, admin_token, {"offer_ttl_minutes": 5})
    assert done.status_code == 200 and done.json_body["offer_ttl_minutes"] == 5
    rid = booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11))
    cancel(client, ada.token, rid)
    settle(pipeline)
    assert (
        entry(client, bob.token, e["entry_id"])["offer"]["expires_at"] == "2026-11-24T09:05:00.000Z"
    )


def test_redelivered_events_make_one_offer(client: Client, pipeline: Pipeline) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    rid = booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11))
    settle(pipeline)
    cancel(client, ada.token, rid)
    pipeline.run(skip=("reserver-waitlist",))
    [body] = [
        b
        for b in pipeline.bodies("reserver-waitlist")
        if b["detail-type"] == "reservation.cancelled"
    ]
    # When the same event is handled twice (and once more after a fresh id: a racing run)
    for _ in range(2):
        messages = pipeline.receive("reserver-waitlist")
        pipeline.invoke("reserver-waitlist", messages)
    twin = {**body["detail"], "metadata": {**body["detail"]["metadata"], "event_id": "another-id"}}
    from chalicelib.workers.waitlist import worker

    worker().handle(twin)
    # Then there is exactly one hold for bob
    holds = send(client, "GET", "/api/v1/reservations/my?status=held", bob.token).json_body["items"]
    assert len(holds) == 1
    assert (
        entry(client, bob.token, e["entry_id"])["offer"]["reservation_id"]
        == holds[0]["reservation_id"]
    )


def _booking(start: int, end: int) -> dict[str, str]:
    return {
        "resource_id": "room-1",
        "start_time": f"{TOMORROW.isoformat()}T{start:02d}:00:00Z",
        "end_time": f"{TOMORROW.isoformat()}T{end:02d}:00:00Z",
    }


def test_maintenance_ended_early_offers_what_it_blocked(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    # Given bob waits for ada's slot, and the room goes into maintenance (open-ended)
    ada, bob = person(client, "ada"), person(client, "bob")
    rid = booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11))
    path = "/api/v1/resources/room-1/status"
    body = {"reason": "Projector repair", "auto_reset_hours": 0}
    assert send(client, "PUT", f"{path}/unavailable", admin_token, body).status_code == 200
    # When ada cancels, Then the freed slot is not offered: the rule says why
    cancel(client, ada.token, rid)
    settle(pipeline)
    waiting = entry(client, bob.token, e["entry_id"])
    assert waiting["status"] == "waiting" and "maintenance" in waiting["reason"]
    assert "waitlist.skipped" in [n["kind"] for n in notifications(client, bob.token)["items"]]
    # When the maintenance ends early, Then bob gets the offer
    assert send(client, "PUT", f"{path}/available", admin_token, {}).status_code == 200
    settle(pipeline)
    assert entry(client, bob.token, e["entry_id"])["status"] == "offered"


def test_accepting_on_a_resource_that_needs_approval_makes_a_pending_request(
    client: Client, clock: FrozenClock
) -> None:
    create_resource("lab", requires_approval=True)
    pipeline = Pipeline(app)
    ada, bob = person(client, "ada"), person(client, "bob")
    rid = booked(client, ada.token, at(10), at(11), resource_id="lab")
    e = joined(client, bob.token, at(10), at(11), resource_id="lab")
    cancel(client, ada.token, rid)
    settle(pipeline)
    accepted = act(client, bob.token, e["entry_id"], "accept")
    assert accepted.status_code == 200, accepted.body
    assert accepted.json_body["reservation"]["status"] == "pending_approval"


def test_a_cancelled_series_frees_its_occurrences(client: Client, pipeline: Pipeline) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    body = {
        "resource_id": "room-1",
        "start_time": "2026-11-25T10:00:00Z",
        "end_time": "2026-11-25T11:00:00Z",
        "rrule": "FREQ=DAILY;COUNT=3",
    }
    series = send(client, "POST", "/api/v1/reservations/recurring", ada.token, body)
    assert series.status_code == 201, series.body
    e = joined(
        client,
        bob.token,
        at(10, day=TOMORROW + timedelta(days=1)),
        at(11, day=TOMORROW + timedelta(days=1)),
    )
    sid = series.json_body["series_id"]
    assert send(client, "POST", f"/api/v1/series/{sid}/cancel", ada.token, {}).status_code == 200
    settle(pipeline)
    assert entry(client, bob.token, e["entry_id"])["status"] == "offered"


def test_entries_whose_time_is_over_leave_the_queue(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given bob waits for ada's slot tomorrow, and the slot passes without being freed
    ada, bob = person(client, "ada"), person(client, "bob")
    booked(client, ada.token, at(10), at(11))
    e = joined(client, bob.token, at(10), at(11))
    settle(pipeline)
    clock.advance(timedelta(days=2))
    # When the expiry job marks ada's booking expired (its event reaches the waitlist worker)
    wiring.jobs().run("expire-reservations")
    settle(pipeline)
    # Then bob's entry is closed, out of the queue
    token = str(login(client, "bob")["access_token"])
    closed = entry(client, token, e["entry_id"])
    assert (closed["status"], closed["position"]) == ("expired", None)
    assert "over" in closed["reason"]
