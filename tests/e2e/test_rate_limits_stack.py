"""API rate limits (issue 13) on the running stack: the counter table exists in the local
bootstrap, and DynamoDB Local counts concurrent requests atomically (each answer a different
`X-RateLimit-Remaining`, the stored count equal to the number of requests)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.e2e.race_kit import Target

REQUESTS = 24


def test_concurrent_requests_are_each_counted_once(target: Target, dynamodb: Any) -> None:
    # Given one address and its anonymous bucket, When 24 requests arrive at once
    def call(_: int) -> httpx.Response:
        with httpx.Client(base_url=target.api_url, timeout=30) as http:
            return http.get("/api/versions")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(call, range(REQUESTS)))
    # Then every answer carries the headers and a count of its own
    assert all(a.status_code == 200 for a in answers)
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers]
    windows = {a.headers["X-RateLimit-Reset"] for a in answers}
    if len(windows) == 1:  # all in one window (a boundary between them splits the count)
        assert len(set(remaining)) == REQUESTS
    # And the counter items on DynamoDB Local add up to at least these requests
    items = dynamodb.scan(TableName="reserver-rate-limits")["Items"]
    assert sum(int(item["hits"]["N"]) for item in items) >= REQUESTS
    assert all(int(item["expires_at"]["N"]) > 0 for item in items)
