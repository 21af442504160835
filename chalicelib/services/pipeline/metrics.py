"""Recording metrics (EMF + the counters the admin summary reads) and the summary itself.

Every sample goes out twice from one call, so CloudWatch and `GET /admin/metrics/summary`
count the same things:
- as an EMF line (integrations/emf.py; silent locally);
- into the per-minute counter items (store/pipeline/metric_counters.py).

Cost. Events are counted with one conditional write each, keyed on the event id (at most one
extra small write per counted event, off the request path). Requests are not: the booking
path must keep its round trips (tests/integration/test_booking_round_trips.py), so a process
buffers its request counts and writes them with one `ADD` per counter at most every
`FLUSH_EVERY` of its clock (or when the minute turns), on the request that finds the buffer
due. A Lambda container that is recycled loses at most that many seconds of request counts;
the admin summary flushes its own process first, so locally it is exact.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import DomainError
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.metrics import (
    MAX_WINDOW_MINUTES,
    QUEUE_LAG,
    REQUESTS,
    Counted,
    CounterRow,
    Sample,
    Totals,
    event_sample,
    minute_of,
    refusal_sample,
    window_minutes,
)
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.integrations.emf import Emitter
from chalicelib.observability import logger

FLUSH_EVERY = timedelta(seconds=10)


class CounterPort(Protocol):
    def add(self, minute: datetime, key: str, dimension: str, amount: int) -> None: ...

    def count_once(self, minute: datetime, key: str, dimension: str, source_id: str) -> bool: ...

    def count_many(self, events: Sequence[Counted]) -> list[Counted]: ...

    def rows(self, first: datetime, last: datetime) -> Iterable[CounterRow]: ...


class MetricsRecorder:
    def __init__(
        self, counters: CounterPort, emitter: Emitter, clock: Clock, wall_clock: Clock
    ) -> None:
        self._counters = counters
        self._emitter = emitter
        self._clock = clock
        self._wall_clock = wall_clock  # SQS stamps messages with the system clock
        self._lock = threading.Lock()
        self._pending: Counter[tuple[datetime, str, str]] = Counter()
        self._since: datetime | None = None

    def _emit(self, sample: Sample) -> None:
        m = sample.metric
        self._emitter.emit(m.name, m.unit, sample.value, sample.dimensions)

    # --- the API: buffered ----------------------------------------------------------------

    def request(self, refusal: DomainError | None) -> None:
        """One answered request (and what its refusal counts as, if it was refused)."""
        samples = [Sample(REQUESTS)]
        extra = refusal_sample(refusal) if refusal is not None else None
        if extra is not None:
            samples.append(extra)
        now = self._clock.now()
        with self._lock:
            for sample in samples:
                self._emit(sample)
                self._pending[(minute_of(now), sample.metric.key, sample.dimension)] += 1
            if self._since is None:
                self._since = now
            due = now - self._since >= FLUSH_EVERY or minute_of(now) != minute_of(self._since)
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending, self._since = self._pending, Counter(), None
        try:
            for (minute, key, dimension), amount in pending.items():
                self._counters.add(minute, key, dimension, amount)
        except Exception:  # counting must never fail the request it counts
            logger.warning("metric counters not written", extra={"counters": len(pending)})

    # --- events and attempts: idempotent per id ---------------------------------------------

    def events(self, events: Iterable[DomainEvent]) -> int:
        """Count the events that are metrics (bookings, offers, approvals); once per event id."""
        by_id: dict[str, Sample] = {}
        wanted: list[Counted] = []
        for event in events:
            sample = event_sample(event.name)
            if sample is not None:
                by_id[event.event_id] = sample
                minute = minute_of(event.metadata.occurred_at)
                wanted.append(Counted(minute, sample.metric.key, sample.dimension, event.event_id))
        # Issue 16: a few transactions per stream batch, not one write per event (a stream
        # batch of a bulk load carries up to 100 bookings).
        counted = self._counters.count_many(wanted)
        for done in counted:  # EMF: only what was counted now, as `once` does
            self._emit(by_id[done.source_id])
        return len(counted)

    def once(self, sample: Sample, source_id: str, at: datetime) -> bool:
        m = sample.metric
        first = self._counters.count_once(minute_of(at), m.key, sample.dimension, source_id)
        if first:  # a repeat was counted (and emitted) the first time round
            self._emit(sample)
        return first

    # --- EMF only -----------------------------------------------------------------------------

    def queue_lag(self, queue: str, sent_at_ms: int) -> int:
        """How long the message waited, in ms (0 if the clocks disagree); emitted, returned."""
        lag = max(0, int(self._wall_clock.now().timestamp() * 1000) - sent_at_ms)
        self._emit(Sample(QUEUE_LAG, value=lag, dimension=queue))
        return lag


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    depth: int
    in_flight: int
    dead_letters: int


class DepthPort(Protocol):
    def depths(self) -> list[QueueDepth]: ...


@dataclass(frozen=True)
class MetricsSummary:
    first_minute: datetime
    last_minute: datetime
    minutes: int
    totals: Totals
    queues: list[QueueDepth]


class MetricsSummaryService:
    def __init__(
        self, recorder: MetricsRecorder, counters: CounterPort, queues: DepthPort, clock: Clock
    ) -> None:
        self._recorder = recorder
        self._counters = counters
        self._queues = queues
        self._clock = clock

    def summary(self, principal: Principal, minutes: int) -> MetricsSummary:
        require_admin(principal)
        minutes = max(1, min(minutes, MAX_WINDOW_MINUTES))
        self._recorder.flush()
        first, last = window_minutes(self._clock.now(), minutes)
        totals = Totals.of(self._counters.rows(first, last))
        return MetricsSummary(first, last, minutes, totals, self._queues.depths())
