"""The bulk lane's email (issue 16): one claim per (event, recipient) taken per envelope
instead of a Powertools record per event, with the same once-only semantics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.pipeline.email_claims import EmailClaimStore
from chalicelib.topology import BULK_QUEUE
from tests.factories import send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import FlakyMailer, Person, person
from tests.integration.reservations_kit import at, create_resource, iso

LEASE = timedelta(minutes=2)


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    driver = Pipeline(app)
    yield driver


def bulk_book(client: Client, who: Person, hours: list[int]) -> None:
    items = [
        {"resource_id": "room-1", "start_time": iso(at(h)), "end_time": iso(at(h, 30))}
        for h in hours
    ]
    response = send_json(client, "POST", "/api/v1/reservations/bulk", {"items": items}, who.token)
    assert response.status_code == 201, response.body


def confirmations(mailer: FlakyMailer, address: str) -> list[str]:
    return sorted(
        str(m["X-Reserver-Event-Id"])
        for m in mailer.sent
        if m["To"] == address and str(m["Subject"]).startswith("Reservation confirmed")
    )


def test_each_booking_is_mailed_once_though_the_envelope_comes_back(
    client: Client, pipeline: Pipeline
) -> None:
    ada, bea = person(client, "ada"), person(client, "bea")
    pipeline.run()
    mailer = FlakyMailer(fail_once_for=set())
    wiring.override("mailer", mailer)
    bulk_book(client, ada, [9, 10, 11])
    bulk_book(client, bea, [13, 14])
    pipeline.pump_stream()
    messages = pipeline.receive(BULK_QUEUE.name)
    # When every envelope is handled twice (a redelivery after a lost delete)
    assert not pipeline.invoke(BULK_QUEUE.name, messages).raised
    assert not pipeline.invoke(BULK_QUEUE.name, messages).raised
    # Then each booking's confirmation went out once, to its owner
    assert len(confirmations(mailer, "ada@example.com")) == 3
    assert len(set(confirmations(mailer, "ada@example.com"))) == 3
    assert len(confirmations(mailer, "bea@example.com")) == 2


def test_a_failed_send_is_retried_and_the_sent_ones_are_not_repeated(
    client: Client, pipeline: Pipeline
) -> None:
    ada, bea = person(client, "ada"), person(client, "bea")
    pipeline.run()
    # Given a mailer that fails once for bea, and one envelope holding both users' bookings
    mailer = FlakyMailer(fail_once_for={"bea@example.com"})
    wiring.override("mailer", mailer)
    bulk_book(client, ada, [9, 10])
    bulk_book(client, bea, [13])
    pipeline.pump_stream()
    messages = pipeline.receive(BULK_QUEUE.name)
    # When the envelopes are handled: the one with bea's booking fails and comes back
    first = pipeline.invoke(BULK_QUEUE.name, messages)
    assert mailer.failures == 1
    assert first.raised or first.failed_ids
    again = pipeline.invoke(BULK_QUEUE.name, messages)
    assert not again.raised and not again.failed_ids
    # Then bea got hers on the retry, and nobody got a second copy
    assert len(confirmations(mailer, "bea@example.com")) == 1
    assert len(confirmations(mailer, "ada@example.com")) == 2


def test_claims_sent_are_skipped_busy_ones_wait_for_their_lease(
    client: Client, clock: FrozenClock
) -> None:
    claims = EmailClaimStore()
    now = clock.now()
    first = claims.claim(["e1#u1", "e2#u1"], now=now, lease=LEASE)
    assert first.mine == ["e1#u1", "e2#u1"]
    claims.confirm(["e1#u1"], now=now)  # e2's sender crashed before sending
    # While e2's lease runs, another invocation finds e1 sent and e2 busy
    second = claims.claim(["e1#u1", "e2#u1", "e3#u1"], now=now + LEASE / 2, lease=LEASE)
    assert (second.mine, second.done, second.busy) == (["e3#u1"], ["e1#u1"], ["e2#u1"])
    # After the lease, e2 is taken over; a released claim can be claimed again
    third = claims.claim(["e2#u1"], now=now + LEASE * 2, lease=LEASE)
    assert third.mine == ["e2#u1"]
    claims.release(["e3#u1"])
    assert claims.claim(["e3#u1"], now=now + LEASE * 2, lease=LEASE).mine == ["e3#u1"]
