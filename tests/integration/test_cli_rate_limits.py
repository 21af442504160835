"""The CLI shows a rate-limit refusal (429) clearly: the API's words, and when to retry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli_helpers import Rr
from tests.integration.cli_server import running_api


@pytest.fixture(scope="module")
def strict_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An API with the real limits, and sign-ins limited to 2 per 5 minutes per address."""
    env = {"RATE_LIMIT_SCALE": "1", "RATE_LIMIT_CLASSES": "auth=2/300"}
    log = tmp_path_factory.mktemp("strict-api") / "api.log"
    with running_api(log, extra_env=env) as url:
        yield url


def test_a_429_names_the_limit_and_the_time_to_retry(strict_api: str, tmp_path: Path) -> None:
    rr = Rr(strict_api, tmp_path, tz="Europe/Paris")
    # Given two sign-ins from this address (both wrong), When a third is tried
    for name in ("nobody1", "nobody2"):
        rr.fails("auth", "login", name, "--password-stdin", input="Wrong-password-1\n")
    refused = rr.fails("auth", "login", "nobody3", "--password-stdin", input="Wrong-pass-1\n")
    # Then the message says what happened, how long to wait, and until when (local time)
    text = " ".join(refused.stderr.split())
    assert "[rate_limited, HTTP 429]" in text
    assert "at most 2 per 300 s" in text
    assert re.search(r"try again in \d+ s \(at .+ Europe/Paris\)", text), text
