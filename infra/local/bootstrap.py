"""Create the topology's tables, queues, bus, rules and SES identities on the local endpoints.

The same `infra/provision.py` functions the test suites use, pointed at DynamoDB Local and
the moto server (or LocalStack). Existing tables are kept, so a data dir survives restarts.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from chalicelib.topology import Topology
from infra.local.config import FAKE_AWS_ENV
from infra.provision import Provisioned, create_messaging, create_tables

_BOTO = BotoConfig(
    retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=10
)


def client(service: str, endpoint: str, config: BotoConfig = _BOTO) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=FAKE_AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=config,
    )


def bootstrap(topology: Topology, *, dynamodb_url: str, aws_url: str) -> Provisioned:
    tables = create_tables(client("dynamodb", dynamodb_url), topology=topology)
    messaging = create_messaging(
        client("sqs", aws_url), client("events", aws_url), client("ses", aws_url), topology=topology
    )
    messaging.table_names = tables.table_names
    messaging.stream_arn = tables.stream_arn
    return messaging
