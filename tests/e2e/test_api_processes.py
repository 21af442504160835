"""The local REST API in several processes (infra/local/prefork.py), as Lambda serves
concurrent requests from several instances: every worker answers, a worker that dies is
replaced, and stopping the stack stops them all (test_local_stack.py's `make stop` test)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from infra.local.procs import child_pids
from infra.local.stack import RunningStack, start_stack
from tests.e2e.conftest import e2e_config
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack of this module's own, its API in two processes (the shared one has one)."""
    state: Path = tmp_path_factory.mktemp("two-workers")
    with start_stack(e2e_config(state, api_processes=2, frontend_dir=None)) as running:
        yield running


def _workers(stack: RunningStack) -> list[int]:
    return child_pids(stack.child("api").pid)


@contextmanager
def _paused(pid: int) -> Iterator[None]:
    """A stopped worker accepts nothing: whatever answers meanwhile is another worker."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def _healthy_on_new_connections(stack: RunningStack, count: int = 6) -> bool:
    for _ in range(count):
        with httpx.Client(base_url=stack.urls["api"], timeout=10) as client:
            if client.get("/health").status_code != 200:
                return False
    return True


def test_each_worker_serves_requests_alone(stack: RunningStack) -> None:
    workers = eventually(lambda: len(_workers(stack)) == 2 and _workers(stack))
    for serving in workers:
        others = [pid for pid in workers if pid != serving]
        with _paused(others[0]):
            assert _healthy_on_new_connections(stack)


def test_a_killed_worker_is_replaced(stack: RunningStack) -> None:
    workers = eventually(lambda: len(_workers(stack)) == 2 and _workers(stack))
    os.kill(workers[0], signal.SIGKILL)
    replaced = eventually(
        lambda: (now := _workers(stack)) and len(now) == 2 and workers[0] not in now and now,
        timeout=20,
    )
    assert workers[1] in replaced
    assert stack.child("api").alive
    # the replacement serves on its own too
    newcomer = next(pid for pid in replaced if pid != workers[1])
    with _paused(workers[1]):
        assert _healthy_on_new_connections(stack)
    assert newcomer in _workers(stack)
