"""Profile `POST /api/v1/resources/upload` (a CSV of 1,000 resources) in-process against
DynamoDB Local (issue 16: "1,000 resources by CSV upload <= 2 s").

Starts the local stack on free ports with its workers paused, runs the real app in THIS
process against the stack's DynamoDB Local as an admin, uploads the CSV bench/writes.py
uploads, and prints per upload: wall, CPU, time on the DynamoDB wire, the DynamoDB calls by
name, items per TransactWriteItems, and with `--profile` the top of a cProfile.

    .venv/bin/python -m bench.profile_upload [--uploads 3] [--rows 1000] [--profile]
"""

from __future__ import annotations

import argparse
import os
import statistics
from typing import Any

import pytest

from bench.booking import _stack_with_paused_workers
from bench.profile_booking import CallMeter
from bench.profile_bulk import measure
from bench.writes import csv_of


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ["RATE_LIMIT_ENABLED"] = "false"
    with _stack_with_paused_workers() as target, pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        run(args)


def run(args: argparse.Namespace) -> None:
    from chalice.test import Client

    from app import app
    from chalicelib import wiring
    from chalicelib.store.table import TableItem
    from tests.factories import auth_headers, setup_admin

    wiring.reset()
    meter = CallMeter()
    sizes: list[int] = []

    def transaction_size(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params.get("TransactItems", [])))

    with Client(app, stage_name="local") as client:
        token = setup_admin(client)
        events = TableItem._get_connection().connection.client.meta.events
        events.register("before-call.dynamodb", meter.before)
        events.register("after-call.dynamodb", meter.after)
        events.register("provide-client-params.dynamodb.TransactWriteItems", transaction_size)
        counter = iter(range(10**6))

        def one() -> None:
            body = csv_of(f"upload{next(counter)}", args.rows)
            headers = {**auth_headers(token), "Content-Type": "text/csv"}
            reply = client.http.post("/api/v1/resources/upload", headers=headers, body=body)
            assert reply.status_code in (200, 201), reply.body

        one()  # warm-up
        meter.take()
        sizes.clear()
        measure(one, meter, args.uploads, f"uploads of {args.rows} resources", args)
        if sizes:
            mean = statistics.mean(sizes)
            print(f"items per TransactWriteItems: mean {mean:.1f}, max {max(sizes)}")


if __name__ == "__main__":
    main()
