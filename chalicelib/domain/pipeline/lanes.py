"""Lanes (issue 16): bulk work must not queue ahead of interactive work.

A write made inside `acting.in_lane(BULK_LANE)` (bulk create/cancel, series, imports) stamps
its items with `audit_lane = "bulk"` (store/audit_stamp.py). The stream relay
(workers/stream.py) publishes the events of interactive changes one by one, as before, and
packs the events of bulk changes into `pipeline.bulk_batch` envelopes of up to
`MAX_EVENTS_PER_BATCH` events / `MAX_BATCH_BYTES`. One EventBridge rule routes the envelopes
to the bulk queue, whose worker (workers/bulk.py) hands each event to the same handlers the
per-worker queues would have, each still idempotent per (worker, event id). So a bulk load of
10,000 bookings costs the bus a few hundred entries and the fast queues nothing, and a booking
made meanwhile is relayed, routed and handled without waiting behind it (docs/events.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent, make_event

BULK_LANE = "bulk"
LANE_ATTRIBUTE = "audit_lane"  # written by every stamped write (store/audit_stamp.py)
BULK_BATCH = "pipeline.bulk_batch"
MAX_EVENTS_PER_BATCH = 50
# An entry of PutEvents is at most 256 KB, and so is a whole request; envelopes of <= 48 KB
# let the publisher send several per call and keep one handler invocation short.
MAX_BATCH_BYTES = 48 * 1024


def is_bulk(image: dict[str, Any]) -> bool:
    """Was this item written in the bulk lane (by the write that produced this image)?"""
    return image.get(LANE_ATTRIBUTE) == BULK_LANE


def _size(event: DomainEvent) -> int:
    return len(json.dumps(event.to_dict(), separators=(",", ":"), default=str).encode())


def _chunks(events: Sequence[DomainEvent]) -> Iterator[list[DomainEvent]]:
    chunk: list[DomainEvent] = []
    size = 0
    for event in events:
        event_size = _size(event)
        full = len(chunk) >= MAX_EVENTS_PER_BATCH or size + event_size > MAX_BATCH_BYTES
        if chunk and full:
            yield chunk
            chunk, size = [], 0
        chunk.append(event)
        size += event_size
    if chunk:
        yield chunk


def pack(events: Sequence[DomainEvent]) -> list[DomainEvent]:
    """Bulk-lane events -> envelopes, in order. An envelope's id derives from its first and
    last event ids, so a retried stream batch packed the same way republishes the same id (the
    events inside are what workers deduplicate on, whatever the packing)."""
    envelopes = []
    for chunk in _chunks(events):
        first, last = chunk[0], chunk[-1]
        envelopes.append(
            make_event(
                BULK_BATCH,
                {"events": [e.to_dict() for e in chunk]},
                source_id=f"{first.event_id}..{last.event_id}",
                occurred_at=last.metadata.occurred_at,
                correlation_id=first.metadata.correlation_id,
            )
        )
    return envelopes


def unpack(payload: dict[str, Any]) -> list[DomainEvent]:
    """The events of an envelope's payload (its `detail`); MalformedEvent if it is not one."""
    events = (payload.get("data") or {}).get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise MalformedEvent(f"a {BULK_BATCH} envelope needs data.events")
    return [DomainEvent.from_dict(raw) for raw in events]
