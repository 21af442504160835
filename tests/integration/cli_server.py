"""A real HTTP API for the CLI tests: Chalice's local server over moto, in a child process.

The CLI talks HTTP, so `chalice.test.Client` cannot serve it. This module is both the child
(`python -m tests.integration.cli_server PORT TOKEN_FILE`: moto's mock_aws + provisioned
tables + the app served on 127.0.0.1:PORT, the one-time setup token written to TOKEN_FILE as
`make run` prints it; with `--pipeline`, the event pipeline is run too, see cli_pipeline.py)
and the parent-side helper that starts it, waits for /health, records the token in
SETUP_TOKENS and stops it by PID. A child process keeps moto's patched botocore away from the
other tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "STAGE": "test",
}


# API base URL -> the one-time setup token its child issued (read by cli_helpers.admin).
SETUP_TOKENS: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_api(
    log_path: Path, *, pipeline: bool = False, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start the child, yield its base URL, stop it (by PID) afterwards."""
    port = free_port()
    token_file = log_path.with_suffix(".setup-token")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(FAKE_AWS)
    env.update(extra_env or {})  # e.g. real rate limits (tests/integration/test_cli_rate_limits.py)
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.cli_server",
                str(port),
                str(token_file),
                *(["--pipeline"] if pipeline else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, child, log_path)
            SETUP_TOKENS[url] = token_file.read_text().strip()
            yield url
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _wait_healthy(url: str, child: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"API child exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"API did not become healthy: {log_path.read_text(errors='replace')[-2000:]}"
    )


def _serve(port: int, token_file: Path, *, pipeline: bool) -> None:
    os.environ.update(FAKE_AWS)
    import boto3
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, create_local_server
    from moto import mock_aws

    from chalicelib import wiring
    from infra.provision import create_messaging, create_tables

    with mock_aws():
        wiring.reset()
        create_tables(boto3.client("dynamodb"))
        create_messaging(boto3.client("sqs"), boto3.client("events"), boto3.client("ses"))
        token_file.write_text(wiring.accounts().issue_setup_token())
        from app import app

        config = Config.create(chalice_stage="test", app_name="resource-reserver")
        server = create_local_server(app, config, "127.0.0.1", port)
        # Chalice writes a response in several small sends: with Nagle on, each request
        # stalls ~40 ms on the client's delayed ACK. TCP_NODELAY on accepted sockets fixes it.
        ChaliceRequestHandler.disable_nagle_algorithm = True
        if pipeline:
            from tests.integration.cli_pipeline import serve_with_pipeline

            serve_with_pipeline(server, app, config)
        server.serve_forever()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), Path(sys.argv[2]), pipeline="--pipeline" in sys.argv[3:])
