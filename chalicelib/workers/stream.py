"""The table's stream -> domain events on the bus (the transactional outbox's relay).

Every committed change is mapped to its domain events (`domain.event_mappings`) plus, when the
item is audited, one `audit.change` event; all go out through the publisher in chunks of 10.
If the bus still refuses an event after retries, the handler raises and the whole batch is
retried: event ids derive from the stream record ids, so what was already published is
recognised downstream. A record that cannot even be mapped (a bug, not an outage) is logged
with its keys and skipped rather than blocking every later change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from chalice.app import Blueprint, DynamoDBEvent

from chalicelib import wiring
from chalicelib.domain.analytics.changes import analytics_change
from chalicelib.domain.pipeline import audit, lanes
from chalicelib.domain.pipeline.events import AUDIT_CHANGE, DomainEvent, ItemChange, make_event
from chalicelib.domain.pipeline.mappings import REGISTRY
from chalicelib.integrations.event_bus import EventPublisher
from chalicelib.integrations.stream_records import change_from_record
from chalicelib.observability import correlate, logger
from chalicelib.topology import STREAM_ARN_PLACEHOLDER, STREAM_HANDLER

bp = Blueprint(__name__)


def events_for_change(change: ItemChange) -> list[DomainEvent]:
    events = REGISTRY.events_for(change)
    entry = audit.entry_for(change)
    if entry is not None:
        events.append(
            make_event(
                AUDIT_CHANGE,
                entry.to_dict(),
                source_id=change.record_id,
                occurred_at=change.at,
                correlation_id=entry.correlation_id or None,
            )
        )
    # Analytics (issue 12): every reservation change, before and after, for the counters.
    counted = analytics_change(change)
    if counted is not None:
        name, data = counted
        events.append(make_event(name, data, source_id=change.record_id, occurred_at=change.at))
    return events


def silent_types() -> frozenset[str]:
    """Item types whose changes mean no event: not audited and no mapper. Most stream records
    are of these (the pipeline's own counters, markers and entries: ~9 of a booking's ~14),
    so the relay skips them before decoding their images."""
    return audit.NOT_AUDITED - REGISTRY.mappers.keys()


def item_type_of(record: dict[str, Any]) -> str:
    ddb = record.get("dynamodb") or {}
    raw = ddb.get("NewImage") or ddb.get("OldImage") or {}
    kind = raw.get("type") if isinstance(raw, dict) else None
    return str(kind.get("S", "")) if isinstance(kind, dict) else ""


def relay(records: Iterable[dict[str, Any]], publisher: EventPublisher) -> int:
    """Map and publish a batch of stream records; returns how many events went out.

    Lanes (issue 16, domain/pipeline/lanes.py): the events of interactive changes go out one
    by one and first; those of bulk-lane changes go out packed in `pipeline.bulk_batch`
    envelopes, which only the bulk queue receives."""
    now = wiring.clock().now()
    interactive: list[DomainEvent] = []
    bulk: list[DomainEvent] = []
    silent = silent_types()
    for record in records:
        if item_type_of(record) in silent:
            continue
        try:
            change = change_from_record(record, fallback_now=now)
            found = events_for_change(change)
        except Exception:
            keys = (record.get("dynamodb") or {}).get("Keys")
            logger.exception("unmappable stream record skipped", extra={"keys": keys})
            continue
        (bulk if lanes.is_bulk(change.image) else interactive).extend(found)
    publisher.publish([*interactive, *lanes.pack(bulk)])
    events = [*interactive, *bulk]
    _observe(events)
    return len(events)


def _observe(events: list[DomainEvent]) -> None:
    """After publishing: one log line per correlation id (so a request can be followed from
    its answer onto the bus), and the event metrics, counted once per event id."""
    by_correlation: dict[str, list[DomainEvent]] = defaultdict(list)
    for event in events:
        by_correlation[event.metadata.correlation_id].append(event)
    for correlation_id, group in by_correlation.items():
        correlate(correlation_id)
        logger.info(
            "events published",
            extra={"events": [{"name": e.name, "event_id": e.event_id} for e in group]},
        )
    correlate(None)
    wiring.metrics_recorder().events(events)


@bp.on_dynamodb_record(stream_arn=STREAM_ARN_PLACEHOLDER, batch_size=100, name=STREAM_HANDLER)
def stream_to_bus(event: DynamoDBEvent) -> None:
    relay(event.to_dict().get("Records", []), wiring.publisher())
