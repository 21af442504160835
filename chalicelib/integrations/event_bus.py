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


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None: ...


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
        for start in range(0, len(events), MAX_ENTRIES_PER_CALL):
            chunk = events[start : start + MAX_ENTRIES_PER_CALL]
            self._put_chunk([self._entry(event) for event in chunk])

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
