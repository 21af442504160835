"""In-process integration tests: moto's mock_aws + chalice.test.Client against the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.table import TableItem
from infra.provision import create_messaging, create_tables
from tests.fakes.clocks import FollowingWallClock
from tests.fakes.websocket import FakeWebsocketAPI


@pytest.fixture(scope="session")
def provisioning_clients() -> dict[str, object]:
    """Built once: creating botocore clients parses service models (slow); moto intercepts
    every client's requests while a mock is active, so reusing them is safe."""
    session = boto3.Session()
    return {name: session.client(name) for name in ("dynamodb", "sqs", "events", "ses")}


@pytest.fixture
def aws(provisioning_clients: dict[str, object]) -> Iterator[None]:
    with mock_aws():
        wiring.reset()
        c = provisioning_clients
        create_tables(c["dynamodb"])
        create_messaging(c["sqs"], c["events"], c["ses"])
        yield
        wiring.reset()


@pytest.fixture
def clock(aws: None) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    wiring.use_clock(frozen)
    wiring.use_wall_clock(FollowingWallClock(frozen))
    return frozen


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="test") as test_client:
        yield test_client


# --- accounts and tokens (auth) ----------------------------------------------------------
# Each is a str access token made through the API. If the test also uses `clock`, the clock
# is pinned first, so the token is issued (and later verified) in the same frozen time.


def _pin_clock_first(request: pytest.FixtureRequest) -> None:
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock")


@pytest.fixture
def setup_token(aws: None) -> str:
    """The one-time setup token, issued as `make run` does (only its SHA-256 is stored)."""
    from tests.factories import issue_setup_token

    return issue_setup_token()


@pytest.fixture
def admin_token(client: Client, request: pytest.FixtureRequest) -> str:
    """The first admin, created by setup/initialize, signed in."""
    from tests.factories import setup_admin

    _pin_clock_first(request)
    return setup_admin(client)


@pytest.fixture
def user_token(client: Client, request: pytest.FixtureRequest) -> str:
    """A registered user `alice` (role user), signed in."""
    from tests.factories import register_and_login

    _pin_clock_first(request)
    return register_and_login(client, "alice")


@pytest.fixture
def other_user_token(client: Client, request: pytest.FixtureRequest) -> str:
    """A second registered user `bob` (role user), signed in."""
    from tests.factories import register_and_login

    _pin_clock_first(request)
    return register_and_login(client, "bob")


# --- the CLI (over real HTTP) -------------------------------------------------------------


@pytest.fixture(scope="session")
def cli_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real HTTP API (Chalice local server over moto, in a child process)."""
    from tests.integration.cli_server import running_api

    with running_api(tmp_path_factory.mktemp("cli-api") / "api.log") as url:
        yield url


@pytest.fixture(scope="session")
def cli_pipeline_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same, plus the event pipeline run before reads of its outputs (cli_pipeline.py)."""
    from tests.integration.cli_server import running_api

    with running_api(tmp_path_factory.mktemp("cli-pipe") / "api.log", pipeline=True) as url:
        yield url


# --- WebSocket ------------------------------------------------------------------------------


@pytest.fixture
def fake_ws(client: Client, clock: FrozenClock) -> FakeWebsocketAPI:
    """The `@connections` API, recorded in memory: what each connection was sent."""
    api = FakeWebsocketAPI()
    wiring.use_websocket_api(api)
    return api


@pytest.fixture
def dynamodb_calls(client: Client) -> Iterator[Callable[[], list[str]]]:
    """The DynamoDB operations the app makes from now on, in order."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(str(model.name))

    events = TableItem._get_connection().connection.client.meta.events
    events.register("before-call.dynamodb", record)
    mark = [0]

    def since() -> list[str]:
        seen = calls[mark[0] :]
        mark[0] = len(calls)
        return seen

    yield since
    events.unregister("before-call.dynamodb", record)
