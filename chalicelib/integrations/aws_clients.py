"""boto3 clients for the pipeline (SQS, EventBridge, SES, DynamoDB), built on first use.

Endpoints come from the standard AWS_ENDPOINT_URL* variables (the local stack sets them);
timeouts are short because a worker that waits long on AWS only delays its retry.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=16)
def client(service: str, region: str) -> Any:
    # Imported here: boto3 (with s3transfer) is ~100 ms of a cold start (issue 15).
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=10
    )
    return boto3.client(service, region_name=region, config=config)  # type: ignore[call-overload]


def reset() -> None:
    client.cache_clear()
