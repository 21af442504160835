"""One local stack per test session, on free ports, through the same `start_stack` as `make run`.

The stack serves `tests.e2e.sample_app.app` (the product app plus recorders) with schedules
50x faster, and is stopped at the end; the teardown fails if any child is still running.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, expect

from infra.local.config import FAKE_AWS_ENV, PORT_ENV, Ports, StackConfig
from infra.local.procs import is_ours
from infra.local.stack import RunningStack, start_stack
from tests.e2e.browser import ApiClient, Site, chromium, create_room
from tests.e2e.race_kit import Target, target_of

# Browser assertions wait up to 15 s (Playwright's default is 5): the suite runs on both cores
# with two stacks, and a screen that loads two days of a grid can take longer than 5 s there.
expect.set_options(timeout=15_000)

SAMPLE_APP = "tests.e2e.sample_app.app"
SAMPLE_TOPOLOGY = "tests.e2e.sample_app.topology:TOPOLOGY"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports() -> Ports:
    return Ports(**{name: free_port() for name in PORT_ENV})


def e2e_config(state_dir: Any, **overrides: Any) -> StackConfig:
    settings: dict[str, Any] = {
        "ports": free_ports(),
        "app_module": SAMPLE_APP,
        "topology": SAMPLE_TOPOLOGY,
        "state_dir": state_dir,
        # The sample's rate(1 minute) fires every 1.2 s; product jobs keep their real rates.
        "tick_scale": 0.02,
        "tick_only": ("e2e_tick",),
        "sqs_retry_delay_s": 1,
        # One API worker: reference data (default hours, global blackouts, quota rules) is
        # cached per process for up to 5 s by design (store/catalog/reference_cache.py), so
        # a test that writes it and reads it back at once would race a second worker.
        # tests/e2e/test_api_processes.py starts a stack of its own with two.
        "api_processes": 1,
        # Webhook retries (1 min ... 2 h) shrunk to seconds for tests/e2e/test_pipeline.py;
        # the key explicit, so a test can start one more app process beside the stack's
        # (tests/e2e/test_live.py: a second API process).
        "extra_env": {"WEBHOOK_RETRY_SCALE": "0.001", "SECRET_KEY": secrets.token_urlsafe(48)},
    }
    settings.update(overrides)
    return StackConfig(**settings)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(e2e_config(tmp_path_factory.mktemp("stack")))
    try:
        yield running
    finally:
        running.stop()
        left = [c.name for c in running.children if c.alive or is_ours(c.pid, c.argv)]
        assert not left, f"children still running after stop: {left}"


def aws_client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=FAKE_AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(scope="module")
def target(stack: RunningStack) -> Target:
    """The race tests' view of the stack: its API and its DynamoDB Local."""
    return target_of(stack)


@pytest.fixture(scope="session")
def dynamodb(stack: RunningStack) -> Any:
    return aws_client("dynamodb", stack.dynamodb_url)


@pytest.fixture(scope="session")
def sqs(stack: RunningStack) -> Any:
    return aws_client("sqs", stack.aws_url)


@pytest.fixture(scope="session")
def connections_api(stack: RunningStack) -> Any:
    """A boto3 `apigatewaymanagementapi` client on the WebSocket stand-in."""
    return aws_client("apigatewaymanagementapi", stack.config.websocket_management_url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first-run setup test needs a stack where no admin exists yet: run it first, so it
    is never skipped because another suite set the admin up earlier in the session."""
    first = [item for item in items if item.name == "test_first_run_setup_creates_the_first_admin"]
    items[:] = first + [item for item in items if item not in first]


# --- the browser suite (tests/e2e/test_frontend*.py) -------------------------------------------
# Module-scoped: each test module gets its own chromium, API client and room. A module that
# needs something else (test_pipeline.py's `api`) defines its own fixture of the same name.


@pytest.fixture(scope="module")
def site(stack: RunningStack) -> Site:
    return Site.of(stack)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


@pytest.fixture(scope="module")
def api(site: Site) -> Iterator[ApiClient]:
    client = ApiClient(site.api, site.setup_token)
    yield client
    client.close()


@pytest.fixture(scope="module")
def admin_api_token(api: ApiClient) -> str:
    return api.ensure_admin()


@pytest.fixture(scope="module")
def room(api: ApiClient, admin_api_token: str) -> dict[str, Any]:
    return create_room(api, admin_api_token)
