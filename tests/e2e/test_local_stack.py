"""The local stack over real sockets: REST gateway fixes, lifecycle (`make run` / `make stop`)."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra.local.config import PORT_ENV, PROJECT_DIR
from infra.local.procs import child_pids, is_ours
from infra.local.stack import RunningStack, StackError, start_stack
from tests.e2e.conftest import e2e_config, free_ports
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.e2e


def _connection(stack: RunningStack) -> http.client.HTTPConnection:
    url = urlsplit(stack.urls["api"])
    return http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=5)


def _call(stack: RunningStack, method: str, path: str, **headers: str) -> tuple[int, Any]:
    conn = _connection(stack)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_health_answers_over_real_http(stack: RunningStack) -> None:
    # When /health is called over a real socket
    status, body = _call(stack, "GET", "/health")
    # Then the API and its DynamoDB Local table are healthy
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"] == {"dynamodb": "ok"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer whatever"}])
def test_unknown_route_is_a_json_404_not_a_gateway_403(
    stack: RunningStack, headers: dict[str, str]
) -> None:
    # When a path no route matches is requested (API Gateway would say 403 here)
    status, body = _call(stack, "GET", "/no/such/route?x=1", **headers)
    # Then the answer is a 404 in the house error envelope
    assert status == 404
    assert body == {
        "error": {
            "code": "not_found",
            "message": "no route matches GET /no/such/route",
            "details": None,
        }
    }


def test_wrong_method_is_a_json_405(stack: RunningStack) -> None:
    status, body = _call(stack, "DELETE", "/health")
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"


def test_an_unknown_http_method_gets_the_envelope_too(stack: RunningStack) -> None:
    # When the request uses a method the local gateway does not implement
    status, body = _call(stack, "BREW", "/health")
    # Then http.server's HTML error page is replaced by the JSON envelope
    assert status == 501
    assert body["error"]["code"] == "not_implemented"


def test_many_requests_share_one_keep_alive_connection_without_stalling(
    stack: RunningStack,
) -> None:
    # Given one keep-alive connection
    conn = _connection(stack)
    timings = []
    try:
        conn.request("GET", "/live")
        conn.getresponse().read()
        sock = conn.sock
        # When 60 more requests go over it
        for _ in range(60):
            started = time.perf_counter()
            conn.request("GET", "/live")
            response = conn.getresponse()
            body = json.loads(response.read())
            timings.append(time.perf_counter() - started)
            # Then each succeeds on the same socket
            assert response.status == 200
            assert body["status"] == "alive"
            assert conn.sock is sock
    finally:
        conn.close()
    # ...and none waits for a delayed ACK (that stall was ~43 ms per request)
    assert statistics.median(timings) < 0.030, timings


def test_frontend_is_served_with_a_generated_config(stack: RunningStack) -> None:
    base = stack.urls["frontend"]
    with urllib.request.urlopen(f"{base}/") as index:
        assert index.status == 200
        assert b"<html" in index.read().lower()
    with urllib.request.urlopen(f"{base}/config.json") as config:
        assert json.loads(config.read()) == {"apiUrl": stack.urls["api"], "wsUrl": stack.urls["ws"]}


def test_a_piece_that_fails_to_start_is_named_and_the_rest_is_stopped(
    stack: RunningStack, tmp_path: Path
) -> None:
    # Given an app module that cannot be imported (storage borrowed from the session's moto)
    config = e2e_config(
        tmp_path,
        app_module="tests.e2e.sample_app.broken",
        external_aws=stack.aws_url,
        frontend_dir=None,
        startup_timeout_s=20,
    )
    # When the stack starts
    with pytest.raises(StackError) as failure:
        start_stack(config)
    # Then the first piece to fail is named, with its log's tail
    assert failure.value.piece == "workers"
    assert "fails on purpose" in failure.value.log_tail
    # ...and nothing it started is left running
    started = {log.stem for log in (tmp_path / "logs").glob("*.log")}
    assert started == {"workers", "api", "ws"}
    fragments = [str(tmp_path), f"--port {config.ports.api}", f"--port {config.ports.ws}"]
    assert not [pid for fragment in fragments for pid in _processes_mentioning(fragment)]
    assert not (tmp_path / "stack.json").exists()


def _processes_mentioning(fragment: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in command:
                pids.append(int(entry.name))
    return pids


def _run_env(ports: dict[str, int]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({PORT_ENV[name]: str(port) for name, port in ports.items()})
    env["API_PROCESSES"] = "2"
    return env


def test_make_run_then_make_stop_leaves_nothing_running(tmp_path: Path) -> None:
    # Given `make run` (the runner CLI) started on free ports with its own state dir
    ports = free_ports().as_dict()
    runner = subprocess.Popen(
        [sys.executable, "-m", "infra.local.run", "--state-dir", str(tmp_path), "--no-frontend"],
        cwd=PROJECT_DIR,
        env=_run_env(ports),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        state_file = tmp_path / "stack.json"
        state = eventually(lambda: state_file.exists() and json.loads(state_file.read_text()), 40)
        children = [(c["pid"], c["argv"]) for c in state["children"]]
        assert {c["name"] for c in state["children"]} == {
            "dynamodb",
            "moto",
            "workers",
            "api",
            "ws",
        }
        assert all(is_ours(pid, argv) for pid, argv in children)
        api_pid = next(c["pid"] for c in state["children"] if c["name"] == "api")
        api_workers = eventually(lambda: len(child_pids(api_pid)) == 2 and child_pids(api_pid))
        # When `make stop` runs
        stop = subprocess.run(
            [sys.executable, "-m", "infra.local.stop", "--state-dir", str(tmp_path)],
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
        # Then the runner exits cleanly and every recorded child is gone
        assert stop.returncode == 0, stop.stdout + stop.stderr
        output, _ = runner.communicate(timeout=15)
        assert runner.returncode == 0, output
        assert "is running" in output
        assert not any(is_ours(pid, argv) for pid, argv in children)
        assert not [pid for pid in api_workers if Path(f"/proc/{pid}").exists()]
        assert not state_file.exists()
    finally:
        if runner.poll() is None:
            runner.kill()
        runner.communicate(timeout=15)  # reaps it and closes its pipe
