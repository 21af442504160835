"""Health probes: each answers True/False quickly and never raises."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from botocore.config import Config as BotoConfig

from infra.local.bootstrap import client
from infra.local.config import LOCALHOST

_ONE_SHOT = BotoConfig(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=2)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def tcp_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=1):
            return True
    except OSError:
        return False


def dynamodb(url: str) -> bool:
    try:
        client("dynamodb", url, config=_ONE_SHOT).list_tables(Limit=1)
        return True
    except Exception:  # any failure means: not ready yet
        return False


def moto(url: str) -> bool:
    try:
        client("sqs", url, config=_ONE_SHOT).list_queues()
        return True
    except Exception:  # any failure means: not ready yet
        return False
