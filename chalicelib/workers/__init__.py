"""Stream, SQS and schedule handlers: per-record, partial-batch, idempotent.

`WORKER_BLUEPRINTS` is what app.py registers; each blueprint takes its handler names, queue
names and rates from `chalicelib.topology.TOPOLOGY` (tests/unit/test_topology.py checks both
ways that every queue and schedule there has exactly one handler here).
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.workers import analytics as analytics_worker
from chalicelib.workers import audit, email, live, notify, scheduled, stream, webhooks
from chalicelib.workers import bulk as bulk_worker
from chalicelib.workers import waitlist as waitlist_worker

WORKER_BLUEPRINTS: tuple[Blueprint, ...] = (
    stream.bp,
    notify.bp,
    email.bp,
    webhooks.bp,
    audit.bp,
    live.bp,
    scheduled.bp,
    waitlist_worker.bp,  # waitlist
    analytics_worker.bp,  # analytics (issue 12)
    bulk_worker.bp,  # bulk lane (issue 16)
)
