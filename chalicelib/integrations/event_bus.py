"""Publish domain events to the EventBridge bus: PutEvents in chunks of 10, failures retried.

PutEvents can accept a request yet refuse some of its entries (`FailedEntryCount > 0`); those
entries are sent again with backoff, and if any is still refused the publisher raises, so the
stream batch is retried (event ids are stable, so workers ignore what already arrived).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.observability import logger

MAX_ENTRIES_PER_CALL = 10  # the PutEvents limit
# PutEvents refuses a request over 256 KB (entries sized as AWS does: Time's 14 bytes plus
# Source, DetailType and Detail); bulk envelopes (domain/pipeline/lanes.py) are tens of KB.
MAX_REQUEST_BYTES = 256 * 1024
_TIME_BYTES = 14


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None: ...


def entry_size(entry: dict[str, Any]) -> int:
    parts = (entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", ""))
    return _TIME_BYTES + sum(len(str(p).encode()) for p in parts)


def request_chunks(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive entries, at most 10 and 256 KB per PutEvents request, order kept."""
    chunks: list[list[dict[str, Any]]] = []
    size = 0
    for entry in entries:
        grown = size + entry_size(entry)
        if not chunks or len(chunks[-1]) >= MAX_ENTRIES_PER_CALL or grown > MAX_REQUEST_BYTES:
            chunks.append([])
            grown = entry_size(entry)
        chunks[-1].append(entry)
        size = grown
    return chunks


class PublishFailed(RuntimeError):
    """Some events were still refused after every retry."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        codes = sorted({str(f.get("ErrorCode")) for f in failures})
        super().__init__(f"{len(failures)} event(s) not accepted by the bus: {', '.join(codes)}")
        self.failures = failures


class EventBridgePublisher:
    def __init__(
        self,
        client: Any,
        *,
        bus_name: str,
        source: str,
        max_attempts: int = 4,
        base_delay_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._bus_name = bus_name
        self._source = source
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for chunk in request_chunks([self._entry(event) for event in events]):
            self._put_chunk(chunk)

    def _entry(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "Source": self._source,
            "DetailType": event.name,
            "Detail": json.dumps(event.to_dict(), separators=(",", ":"), default=str),
            "EventBusName": self._bus_name,
            "Time": event.metadata.occurred_at,
        }

    def _put_chunk(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        failures: list[dict[str, Any]] = []
        for attempt in range(self._max_attempts):
            if attempt:
                self._sleep(self._base_delay_s * (2 ** (attempt - 1)))
            response = self._client.put_events(Entries=pending)
            if int(response.get("FailedEntryCount", 0)) == 0:
                return
            results = response.get("Entries", [])
            failures = [r for r in results if r.get("ErrorCode")]
            # Entries come back in request order; a failed one carries an ErrorCode.
            pending = [e for e, r in zip(pending, results, strict=False) if r.get("ErrorCode")]
            logger.warning(
                "event bus refused entries",
                extra={
                    "failed": len(pending),
                    "attempt": attempt + 1,
                    "codes": sorted({str(f.get("ErrorCode")) for f in failures}),
                },
            )
            if not pending:  # the count said failures but no entry carried a code
                pending = entries
        raise PublishFailed(failures)
