"""The bulk lane (issue 16, docs/events.md "Lanes"): the events of a bulk request travel in
envelopes to the bulk queue only; the fast queues carry interactive events alone; the bulk
worker still gives every event to every handler its own queue would have, once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.analytics.facts import ALL, MONTHLY_KIND
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.events import RESERVATION_CREATED, DomainEvent, make_event
from chalicelib.domain.pipeline.lanes import BULK_BATCH
from chalicelib.store.analytics.counters import CounterStore
from chalicelib.topology import (
    ANALYTICS_QUEUE,
    AUDIT_QUEUE,
    BULK_QUEUE,
    LIVE_QUEUE,
    NOTIFY_QUEUE,
    TOPOLOGY,
)
from chalicelib.workers.bulk import WORKERS, routes
from tests.factories import send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, event_names, notifications, person
from tests.integration.reservations_kit import at, booked, create_resource, iso


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    create_resource("room-2")
    yield Pipeline(app)


def bulk_book(client: Client, who: Person, hours: list[int]) -> list[str]:
    items = [
        {"resource_id": "room-1", "start_time": iso(at(h)), "end_time": iso(at(h, 30))}
        for h in hours
    ]
    response = send_json(client, "POST", "/api/v1/reservations/bulk", {"items": items}, who.token)
    assert response.status_code == 201, response.body
    return [str(i["reservation_id"]) for i in response.json_body["items"]]


def analytics_cells() -> dict[tuple[str, str], dict[str, int]]:
    month = f"{at(9):%Y-%m}"
    return CounterStore().cells(MONTHLY_KIND, [month], ALL, [])


def reservation_ids(bodies: list[dict[str, Any]]) -> set[str]:
    return {str(b["detail"]["data"].get("reservation_id")) for b in bodies}


def test_bulk_events_go_to_the_bulk_queue_and_interactive_ones_to_the_fast_queues(
    client: Client, pipeline: Pipeline
) -> None:
    ada, bob = person(client, "ada"), person(client, "bob")
    pipeline.run()  # the registrations' events out of the way
    # Given a bulk request of three bookings and, after it, one ordinary booking
    bulk_ids = bulk_book(client, ada, [9, 10, 11])
    single = booked(client, bob.token, at(9), at(10), resource_id="room-2")
    # When the stream is relayed
    pipeline.pump_stream()
    # Then the fast queues hold the ordinary booking's events only
    notify = pipeline.bodies(NOTIFY_QUEUE.name)
    assert reservation_ids(notify) == {single}
    assert not set(bulk_ids) & reservation_ids(pipeline.bodies(ANALYTICS_QUEUE.name))
    audited = {b["detail"]["data"]["entity_id"] for b in pipeline.bodies(AUDIT_QUEUE.name)}
    assert single in audited and not set(bulk_ids) & audited
    # And the bulk queue holds envelopes carrying every event of the bulk bookings
    envelopes = pipeline.bodies(BULK_QUEUE.name)
    assert envelopes and set(event_names(envelopes)) == {BULK_BATCH}
    inner = [e for b in envelopes for e in b["detail"]["data"]["events"]]
    created = {
        e["data"]["reservation_id"]
        for e in inner
        if e["metadata"]["event_name"] == "reservation.created"
    }
    assert created == set(bulk_ids)


def test_the_bulk_worker_notifies_each_owner_once_even_when_an_envelope_comes_back(
    client: Client, pipeline: Pipeline
) -> None:
    ada = person(client, "ada")
    bulk_ids = bulk_book(client, ada, [9, 10])
    pipeline.pump_stream()
    [message] = pipeline.receive(BULK_QUEUE.name)
    # When the same envelope is handled twice (a redelivery after a lost delete)
    assert not pipeline.invoke(BULK_QUEUE.name, [message]).raised
    counted = analytics_cells()
    assert counted  # the analytics counters were kept in the bulk lane (batched)
    assert not pipeline.invoke(BULK_QUEUE.name, [message]).raised
    pipeline.run()
    # Then the counters did not move the second time, and each booking was notified once
    assert analytics_cells() == counted
    items = notifications(client, ada.token)["items"]
    notified = [
        i["data"].get("reservation_id") for i in items if i["kind"] == "reservation.created"
    ]
    assert sorted(notified) == sorted(bulk_ids)


def test_every_queue_a_rule_feeds_has_a_handler_in_the_bulk_lane() -> None:
    served = set(WORKERS) | {LIVE_QUEUE.name, BULK_QUEUE.name}
    assert {rule.queue for rule in TOPOLOGY.rules} <= served
    assert set(routes("reservation.created")) >= {NOTIFY_QUEUE.name, LIVE_QUEUE.name}
    assert BULK_QUEUE.name not in routes(BULK_BATCH)


def test_relayed_events_are_counted_in_batches_and_still_once(
    client: Client, clock: FrozenClock
) -> None:
    def created(n: int) -> DomainEvent:
        return make_event(
            RESERVATION_CREATED,
            {"reservation_id": f"r{n}"},
            source_id=f"rec-{n}",
            occurred_at=clock.now(),
        )

    recorder = wiring.metrics_recorder()
    # A batch of new events is counted in one go; a batch that repeats some counts the rest
    assert recorder.events([created(n) for n in range(45)]) == 45
    assert recorder.events([created(n) for n in range(40, 50)]) == 5
    assert recorder.events([created(1)]) == 0
