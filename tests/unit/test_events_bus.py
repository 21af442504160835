"""The EventBridge publisher: chunks of 10, refused entries retried, never silently dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.domain.pipeline.events import DomainEvent, make_event
from chalicelib.integrations.event_bus import EventBridgePublisher, PublishFailed
from tests.unit.event_factories import AT


class ScriptedEventBridge:
    """A stand-in for the boto3 client: refuses the entries it is told to, per call."""

    def __init__(self, refuse: list[set[int]] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self._refuse = list(refuse or [])

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        refused = self._refuse.pop(0) if self._refuse else set()
        results = [
            {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}
            if i in refused
            else {"EventId": f"e{i}"}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(refused), "Entries": results}


def events(n: int) -> list[DomainEvent]:
    return [
        make_event("reservation.created", {"i": i}, source_id=f"r{i}", occurred_at=AT)
        for i in range(n)
    ]


def publisher(client: ScriptedEventBridge) -> EventBridgePublisher:
    return EventBridgePublisher(client, bus_name="bus", source="src", sleep=lambda s: None)


def test_events_go_out_in_chunks_of_ten_with_the_envelope_as_detail() -> None:
    client = ScriptedEventBridge()
    publisher(client).publish(events(23))
    assert [len(c) for c in client.calls] == [10, 10, 3]
    entry = client.calls[0][0]
    assert entry["Source"] == "src" and entry["EventBusName"] == "bus"
    assert entry["DetailType"] == "reservation.created"
    assert json.loads(entry["Detail"])["metadata"]["event_name"] == "reservation.created"


def test_refused_entries_are_sent_again_and_only_they() -> None:
    client = ScriptedEventBridge(refuse=[{1, 3}])
    publisher(client).publish(events(4))
    assert len(client.calls) == 2
    retried = [json.loads(e["Detail"])["data"]["i"] for e in client.calls[1]]
    assert retried == [1, 3]


def test_entries_still_refused_after_every_retry_raise() -> None:
    client = ScriptedEventBridge(refuse=[{0}, {0}, {0}, {0}])
    with pytest.raises(PublishFailed) as caught:
        publisher(client).publish(events(2))
    assert "ThrottlingException" in str(caught.value)
    assert len(client.calls) == 4


def test_nothing_to_publish_makes_no_call() -> None:
    client = ScriptedEventBridge()
    publisher(client).publish([])
    assert client.calls == []
