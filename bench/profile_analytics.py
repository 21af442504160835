"""Profile the slow admin analytics reads in-process (issue 12, session 10).

Seeds moto with 1,000 resources' counters (each with ~10 reservations spread over two
months: 10,000 reservations) and an in-memory catalogue, then times the service calls that
read every resource's row (utilisation, by tag, popular, the CSV export) warm, and prints
the top of a cProfile. Cheap and robust under load, unlike bench/analytics.py.

    .venv/bin/python -m bench.profile_analytics [--profile]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "STAGE": "test",
    }
)
for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS"):
    os.environ.pop(_var, None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.domain.analytics import facts as f  # noqa: E402
from chalicelib.domain.analytics.report import DateRange  # noqa: E402
from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource  # noqa: E402
from chalicelib.domain.clock import FrozenClock  # noqa: E402
from chalicelib.domain.principal import Principal, Role  # noqa: E402
from chalicelib.services.analytics.open_time import OpenTimeCache  # noqa: E402
from chalicelib.services.analytics.queries import AnalyticsQueries  # noqa: E402
from chalicelib.store.analytics.counters import CounterStore  # noqa: E402
from infra.provision import create_tables  # noqa: E402

RESOURCES = 1000
MONTHS = ("2026-10", "2026-11")


class _Catalog:
    def __init__(self) -> None:
        self.items = [
            Resource(resource_id=f"r{i:04d}", name=f"Room {i}", tags=(f"t{i % 7}", "all"))
            for i in range(RESOURCES)
        ]

    def all_resources(self, now: datetime) -> list[Resource]:
        return self.items

    def default_hours(self) -> BusinessHours | None:
        return None

    def blackouts(self, resource_ids: Any, first: date, last: date) -> dict[str, list[Blackout]]:
        return {}


def _seed(store: CounterStore) -> None:
    rnd = random.Random(12)
    totals: f.Counters = {}
    for i in range(RESOURCES):
        for _ in range(10):
            month = rnd.choice(MONTHS)
            day = rnd.randint(1, 30)
            cell = totals.setdefault((f.MONTHLY_KIND, month, f"R#r{i:04d}"), {})
            for metric, amount in ((f.BOOKINGS, 1), (f.BOOKED_MIN, 60), (f.USED_MIN, 30)):
                for attr in (f"{metric}_{day:02d}", f.month_total(metric)):
                    cell[attr] = cell.get(attr, 0) + amount
    store.replace_all(totals, [], set())


def main() -> None:
    profile = "--profile" in sys.argv
    with mock_aws():
        create_tables(boto3.client("dynamodb"))
        store = CounterStore()
        _seed(store)
        clock = FrozenClock(datetime(2026, 11, 24, 12, tzinfo=UTC))
        queries = AnalyticsQueries(store, OpenTimeCache(_Catalog()), clock)
        rng = DateRange(date(2026, 10, 26), date(2026, 11, 24))
        who = Principal("admin", "admin", frozenset({Role.ADMIN}))
        calls: dict[str, Callable[[], object]] = {
            "utilisation": lambda: queries.utilisation(who, rng, "resource", None),
            "utilisation by tag": lambda: queries.utilisation(who, rng, "tag", None),
            "popular": lambda: queries.popular(who, rng, 10),
            "export utilisation": lambda: list(queries.utilisation_csv(who, rng, "resource", None)),
        }
        for fn in calls.values():
            fn()  # warm the catalogue and open-hours caches
        for name, fn in calls.items():
            took = []
            for _ in range(5):
                t0 = time.perf_counter()
                fn()
                took.append((time.perf_counter() - t0) * 1000)
            print(f"{name:20s} median={statistics.median(took):7.1f} ms  max={max(took):7.1f} ms")
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            calls["utilisation"]()
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
