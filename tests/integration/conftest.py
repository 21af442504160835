"""In-process integration tests: moto's mock_aws + chalice.test.Client against the real app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from infra.provision import create_messaging, create_tables


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        wiring.reset()
        create_tables(boto3.client("dynamodb"))
        create_messaging(boto3.client("sqs"), boto3.client("events"), boto3.client("ses"))
        yield
        wiring.reset()


@pytest.fixture
def clock(aws: None) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    wiring.use_clock(frozen)
    return frozen


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="test") as test_client:
        yield test_client
