"""Bulk-lane envelopes (issue 16) and PutEvents request sizes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent, make_event
from chalicelib.domain.pipeline.lanes import (
    BULK_BATCH,
    MAX_BATCH_BYTES,
    MAX_EVENTS_PER_BATCH,
    is_bulk,
    pack,
    unpack,
)
from chalicelib.integrations.event_bus import (
    MAX_ENTRIES_PER_CALL,
    MAX_REQUEST_BYTES,
    entry_size,
    request_chunks,
)

AT = datetime(2026, 12, 4, 10, tzinfo=UTC)


def events(count: int, size: int = 10) -> list[DomainEvent]:
    return [
        make_event(
            "reservation.created", {"n": n, "pad": "x" * size}, source_id=f"s{n}", occurred_at=AT
        )
        for n in range(count)
    ]


def test_envelopes_keep_every_event_in_order_within_their_limits() -> None:
    many = events(120) + events(5, size=20_000)
    envelopes = pack(many)
    assert all(e.name == BULK_BATCH for e in envelopes)
    inner = [event for envelope in envelopes for event in unpack(envelope.to_dict())]
    assert [e.event_id for e in inner] == [e.event_id for e in many]
    for envelope in envelopes:
        assert len(envelope.data["events"]) <= MAX_EVENTS_PER_BATCH
        assert len(str(envelope.data)) <= MAX_BATCH_BYTES * 1.1
    assert pack([]) == []


def test_a_malformed_envelope_is_a_poison_message() -> None:
    with pytest.raises(MalformedEvent):
        unpack({"data": {}})


def test_only_items_stamped_bulk_are_in_the_bulk_lane() -> None:
    assert is_bulk({"audit_lane": "bulk"})
    assert not is_bulk({"audit_lane": "-"}) and not is_bulk({})


def test_put_events_requests_stay_within_ten_entries_and_256_kb() -> None:
    entries = [{"Source": "s", "DetailType": "t", "Detail": "x" * 60_000} for _ in range(9)]
    entries += [{"Source": "s", "DetailType": "t", "Detail": "{}"} for _ in range(25)]
    chunks = request_chunks(entries)
    assert [e for chunk in chunks for e in chunk] == entries
    for chunk in chunks:
        assert len(chunk) <= MAX_ENTRIES_PER_CALL
        assert sum(entry_size(e) for e in chunk) <= MAX_REQUEST_BYTES
