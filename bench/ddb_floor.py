"""What DynamoDB Local itself costs per call and per item on this machine (issue 16).

The issue's targets are figures for the whole stack; this prints the part no code of ours
can remove: the same kinds of calls our request paths make, against the stack's own tables
(the real schema: two GSIs, a stream), with no app in between. Each kind is timed
sequentially from one client (wall p50) and by DynamoDB Local's own CPU per call (from
/proc), after a warm-up. Then the floor of each row of the issue's table: the calls and
items that row needs at the least, priced at these figures.

Starts the local stack on free ports with its workers paused (nothing else talks to
DynamoDB Local meanwhile) and stops it afterwards; bounded (a few thousand calls, ~1 min).

    .venv/bin/python -m bench.ddb_floor [--repeat 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import boto3
from botocore.config import Config

from bench.booking import paused_stack
from bench.catalog import cpu_seconds

MAIN, RATES = "reserver-main", "reserver-rate-limits"
PAD = "x" * 180  # a reservation's attributes (times, user, notes, status...) come to ~300 B


@dataclass(frozen=True)
class Cost:
    wall_ms: float  # p50, one client, sequential
    cpu_ms: float  # DynamoDB Local's CPU per call (mean)


@contextmanager
def dynamodb_local() -> Iterator[tuple[Any, int]]:
    """A boto3 client of the stack's DynamoDB Local, and its PID (workers paused)."""
    with paused_stack() as running:
        client = boto3.client(
            "dynamodb",
            endpoint_url=running.dynamodb_url,
            config=Config(retries={"max_attempts": 0}),
        )
        yield client, running.child("dynamodb").pid


def occupancy(n: int, resource: str) -> dict[str, Any]:
    """An item shaped like an occupancy item: base keys, GSI2 keys, a few attributes."""
    start = f"2027-03-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z"
    return {
        "PK": {"S": f"RESOURCE#{resource}"},
        "SK": {"S": f"SLOT#{start}#{n:08d}"},
        "GSI2PK": {"S": f"OCC#H#{start[:10]}"},
        "GSI2SK": {"S": f"{start}#{resource}#{n:08d}"},
        "reservation_id": {"S": f"{n:026d}"},
        "start_time": {"S": start},
        "end_time": {"S": start},
        "status": {"S": "active"},
        "type": {"S": "occupancy"},
    }


def reservation(n: int) -> dict[str, Any]:
    return {
        "PK": {"S": f"RESERVATION#{n:026d}"},
        "SK": {"S": "META"},
        "GSI1PK": {"S": "USER#bench"},
        "GSI1SK": {"S": f"2027-03-01T00:00:00.000Z#{n:026d}"},
        "attrs": {"S": PAD},
        "type": {"S": "reservation"},
    }


def new(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {"TableName": MAIN, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
    }


def measure(pid: int, call: Callable[[int], object], repeat: int) -> Cost:
    numbers = count(1_000_000 * (1 + int(time.time()) % 1000))
    for _ in range(max(50, repeat // 5)):  # warm-up (DynamoDB Local's JIT)
        call(next(numbers))
    walls = []
    cpu = cpu_seconds(pid)
    for _ in range(repeat):
        started = time.perf_counter()
        call(next(numbers))
        walls.append(1000 * (time.perf_counter() - started))
    return Cost(statistics.median(walls), 1000 * (cpu_seconds(pid) - cpu) / repeat)


def costs(client: Any, pid: int, repeat: int) -> dict[str, Cost]:
    # Seed what the reads read: 20 resources with 5 occupants each, their day versions.
    for r in range(20):
        client.transact_write_items(
            TransactItems=[new(occupancy(r * 10 + k, f"r{r}")) for k in range(5)]
        )
        client.put_item(
            TableName=MAIN, Item={"PK": {"S": f"RESOURCE#r{r}"}, "SK": {"S": "DAY#2027-03-01"}}
        )

    # ...and a busy day: 1,000 occupants of 1,000 resources in one GSI2 day partition.
    busy = [occupancy(k, f"busy{k}") for k in range(1000)]
    for item in busy:
        item["GSI2PK"] = {"S": "OCC#H#2027-04-01"}
    for first in range(0, len(busy), 97):
        client.transact_write_items(TransactItems=[new(i) for i in busy[first : first + 97]])

    def busy_day(_: int) -> None:
        """What a busy-window search reads: every occupant near the window, projected."""
        kwargs: dict[str, Any] = {
            "TableName": MAIN,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "OCC#H#2027-04-01"}},
            "ProjectionExpression": "PK, reservation_id, start_time, end_time, #s",
            "ExpressionAttributeNames": {"#s": "status"},
        }
        while True:
            page = client.query(**kwargs)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def key(n: int, sk: str = "DAY#2027-03-01") -> dict[str, Any]:
        return {"PK": {"S": f"RESOURCE#r{n % 20}"}, "SK": {"S": sk}}

    def transaction(n: int, size: int) -> None:
        items = [new(occupancy(n * 100 + k, f"w{n}")) for k in range(size // 2)]
        items += [new(reservation(n * 100 + k)) for k in range(size - len(items))]
        client.transact_write_items(TransactItems=items)

    kinds: dict[str, Callable[[int], object]] = {
        "GetItem": lambda n: client.get_item(TableName=MAIN, Key=key(n), ConsistentRead=True),
        "BatchGetItem, 4 keys": lambda n: client.batch_get_item(
            RequestItems={
                MAIN: {
                    "Keys": [key(n), key(n, "META"), key(n, "BLACKOUTS"), key(n, "LINKS")],
                    "ConsistentRead": True,
                }
            }
        ),
        "Query, 5 items": lambda n: client.query(
            TableName=MAIN,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :s)",
            ExpressionAttributeValues={":pk": key(n)["PK"], ":s": {"S": "SLOT#"}},
            ConsistentRead=True,
        ),
        "UpdateItem ADD (rate-limit table)": lambda n: client.update_item(
            TableName=RATES,
            Key={"PK": {"S": f"RATE#bench#{n // 50}"}},
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
        "Query, 1,000 index items (projected)": busy_day,
        "TransactWriteItems, 6 items": lambda n: transaction(n, 6),
        "TransactWriteItems, 97 items": lambda n: transaction(n, 97),
    }
    found = {}
    for name, call in kinds.items():
        times = repeat if "97" not in name and "1,000" not in name else max(20, repeat // 10)
        found[name] = measure(pid, call, times)
    return found


def floors(c: dict[str, Cost]) -> list[tuple[str, str]]:
    get, batch, query = c["GetItem"], c["BatchGetItem, 4 keys"], c["Query, 5 items"]
    update, tx6, tx97 = (
        c["UpdateItem ADD (rate-limit table)"],
        c["TransactWriteItems, 6 items"],
        c["TransactWriteItems, 97 items"],
    )
    create = [batch, update, batch, query, tx6]  # what a create asks of DynamoDB today
    create_wall = sum(x.wall_ms for x in create)
    create_cpu = sum(x.cpu_ms for x in create)
    # 1,000 resources by CSV: 5 items each (resource, name, 2 tags, blackout marker) in
    # 97-item transactions, and one read per 100 rows.
    csv_s = (5000 / 97 * tx97.wall_ms + 11 * batch.wall_ms) / 1000
    # 100 bookings in a bulk request: 3 items each + day versions (~5 full transactions)
    # and at least a read of their 20 resources and one occupants query per resource.
    bulk_ms = 5 * tx97.wall_ms + 2 * batch.wall_ms + 20 * query.wall_ms
    bulk_cpu_ms = 5 * tx97.cpu_ms + 2 * batch.cpu_ms + 20 * query.cpu_ms
    busy = c["Query, 1,000 index items (projected)"]
    return [
        (
            "busy-window search, 8 clients (target: p95 <= 100 ms, i.e. >= 80 /s)",
            f"reading the ~1,000 occupants near the window: {busy.cpu_ms:.0f} ms of DynamoDB "
            f"Local's CPU -> at most {2000 / busy.cpu_ms:.0f} /s with both cores, before "
            "the app's own CPU per search",
        ),
        (
            "create, 1 client (target >= 60 /s, p50 <= 15 ms)",
            f"DynamoDB alone: {create_wall:.1f} ms a create -> at most "
            f"{1000 / create_wall:.0f} /s; before any app, HTTP or event pipeline work",
        ),
        (
            "create, 8 clients (target >= 120 /s)",
            f"DynamoDB Local's CPU {create_cpu:.1f} ms a create -> at most "
            f"{1000 / create_cpu:.0f} /s per core it gets ({2000 / create_cpu:.0f} /s with "
            "both, nothing left for the app and the pipeline)",
        ),
        (
            "10,000 bookings by the bulk API (target >= 1,000 /s)",
            f"{bulk_ms:.0f} ms and {bulk_cpu_ms:.0f} ms of its CPU per 100 bookings -> at "
            f"most {100_000 / bulk_ms:.0f} /s one request at a time, "
            f"{2 * 100_000 / bulk_cpu_ms:.0f} /s with both cores for DynamoDB Local",
        ),
        (
            "1,000 resources by CSV (target <= 2 s)",
            f"{csv_s:.2f} s for ~52 transactions of 97 items, one at a time",
        ),
        (
            "(per item written in a transaction)",
            f"~{(tx97.wall_ms - tx6.wall_ms) / 91:.2f} ms wall, "
            f"{(tx97.cpu_ms - tx6.cpu_ms) / 91:.2f} ms of CPU; GetItem {get.wall_ms:.1f} ms",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args(argv)
    with dynamodb_local() as (client, pid):
        found = costs(client, pid, args.repeat)
    print(f"{'call':36s} {'wall p50 ms':>12s} {'DDB Local CPU ms':>17s}")
    for name, cost in found.items():
        print(f"{name:36s} {cost.wall_ms:12.2f} {cost.cpu_ms:17.2f}")
    print("\nfloors (DynamoDB Local only, no app):")
    for row, text in floors(found):
        print(f"  {row}\n      {text}")


if __name__ == "__main__":
    main()
