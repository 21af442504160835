from __future__ import annotations

import collections
import cProfile
import pstats

import boto3
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.topology import BULK_QUEUE
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import person
from tests.integration.reservations_kit import create_resource
from tests.integration.test_bulk_lane import bulk_book


def test_profile(client: Client, clock: FrozenClock) -> None:
    create_resource("room-1")
    create_resource("room-2")
    pipeline = Pipeline(app)
    ada = person(client, "ada")
    pipeline.run()
    bulk_book(client, ada, list(range(0, 20)))
    pipeline.pump_stream()
    messages = pipeline.receive(BULK_QUEUE.name)
    calls: collections.Counter[str] = collections.Counter()

    def count(event_name: str, **kw: object) -> None:
        calls[event_name.split(".", 1)[1]] += 1

    import botocore.session  # noqa
    from chalicelib.store import table

    for c in [table.raw_client()]:
        c.meta.events.register("before-call.*.*", count)
    boto3.DEFAULT_SESSION and boto3.DEFAULT_SESSION.events.register("before-call.*.*", count)
    prof = cProfile.Profile()
    prof.enable()
    pipeline.invoke(BULK_QUEUE.name, messages)
    prof.disable()
    print("\nCALLS", sum(calls.values()), calls.most_common())
    pstats.Stats(prof).sort_stats("cumulative").print_stats("chalicelib", 45)
