"""The local moto server parses each EventBridge input path once (issue 16): moto's
`EventTemplateParser` rebuilt a jsonpath parser for every path of every event it sent, a
third of moto's CPU per booking. What it sends must not change."""

from __future__ import annotations

from typing import Any

import jsonpath_ng.ext
from moto.events.utils import EventTemplateParser

from infra.local.moto_server import memoize_event_paths

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "e-1",
    "detail-type": "ReservationCreated",
    "source": "reserver",
    "account": "123456789012",
    "time": 1764928800.0,  # moto holds it as a Unix time here
    "region": "us-east-1",
    "resources": [],
    "detail": {"reservation_id": "r-1", "resource_id": "room-1"},
    "ingestion-time": 1764928800.0,
}


def test_memoized_paths_send_the_same_events_and_parse_each_path_once() -> None:
    # Given what moto sends a target before the paths are memoized
    before = EventTemplateParser.parse("", {}, EVENT)
    # When they are memoized (twice: the server may build its app more than once)
    memoize_event_paths()
    memoize_event_paths()
    parse: Any = getattr(jsonpath_ng.ext, "parse")  # noqa: B009
    parse.cache_clear()
    # Then every event sent is the same as before
    assert EventTemplateParser.parse("", {}, EVENT) == before
    second = {**EVENT, "id": "e-2", "detail": {"reservation_id": "r-2"}}
    assert EventTemplateParser.parse("", {}, second)["detail"] == {"reservation_id": "r-2"}
    # And the second event parsed no path again
    info = parse.cache_info()
    assert info.hits >= info.misses > 0
    assert not hasattr(parse.__wrapped__, "cache_info")  # wrapped once, not twice
