"""The one description of the AWS resources the app runs on.

Both the local stack (`infra/local/bootstrap.py`) and the CDK stack (`infra/`) are built from
these definitions, and `app.py` takes its queue names and schedules from here, so the three
cannot drift (tests/unit/test_topology.py checks it). Pure data: no I/O, no environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.analytics.changes import ANALYTICS_RESERVATION_CHANGED
from chalicelib.domain.pipeline import catalogue as event_catalogue
from chalicelib.domain.pipeline import events
from chalicelib.domain.pipeline.lanes import BULK_BATCH
from chalicelib.domain.pipeline.live import LIVE_EVENT_NAMES


@dataclass(frozen=True)
class IndexDef:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableDef:
    logical_name: str
    default_name: str
    env_var: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[IndexDef, ...] = ()
    ttl_attribute: str | None = None
    stream: bool = False


@dataclass(frozen=True)
class QueueDef:
    name: str
    handler: str
    max_receive_count: int = 5
    visibility_timeout_s: int = 60
    batch_size: int = 10
    dlq_name: str = ""
    # The handler returns `batchItemFailures` and relies on them: the deployment must attach
    # the queue with ReportBatchItemFailures (Chalice cannot, DESIGN.md trap 9).
    reports_partial_failures: bool = False
    # Lambda's MaximumBatchingWindowInSeconds: wait up to this long to fill a batch. Only for
    # background work, whose batch handler writes less per event the fuller the batch.
    batching_window_s: int = 0

    def __post_init__(self) -> None:
        if not self.dlq_name:
            object.__setattr__(self, "dlq_name", f"{self.name}-dlq")


@dataclass(frozen=True)
class RuleDef:
    """Route bus events whose detail-type is in `event_names` (empty = all) to a queue."""

    name: str
    queue: str
    event_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleDef:
    name: str
    handler: str
    rate_minutes: int
    description: str


@dataclass(frozen=True)
class Topology:
    tables: tuple[TableDef, ...]
    bus_name: str
    event_source: str
    queues: tuple[QueueDef, ...]
    rules: tuple[RuleDef, ...]
    schedules: tuple[ScheduleDef, ...]
    ses_identities: tuple[str, ...] = field(default=())

    def table(self, logical_name: str) -> TableDef:
        return next(t for t in self.tables if t.logical_name == logical_name)

    def queue(self, name: str) -> QueueDef:
        return next(q for q in self.queues if q.name == name)


MAIN_TABLE = TableDef(
    logical_name="main",
    default_name="reserver-main",
    env_var="TABLE_NAME",
    partition_key="PK",
    sort_key="SK",
    indexes=(
        IndexDef("GSI1", "GSI1PK", "GSI1SK"),
        IndexDef("GSI2", "GSI2PK", "GSI2SK"),
    ),
    ttl_attribute="expires_at",
    stream=True,
)

IDEMPOTENCY_TABLE = TableDef(
    logical_name="idempotency",
    default_name="reserver-idempotency",
    env_var="IDEMPOTENCY_TABLE_NAME",
    partition_key="id",
    ttl_attribute="expiration",
)

# API rate limits (issue 13): one counter item per (bucket, window). Its own table, without a
# stream, so the counter written by every request never reaches the stream handler or audit.
RATE_LIMIT_TABLE = TableDef(
    logical_name="ratelimits",  # CloudFormation ids are alphanumeric (infra/cdk/data.py)
    default_name="reserver-rate-limits",
    env_var="RATE_LIMIT_TABLE_NAME",
    partition_key="PK",
    ttl_attribute="expires_at",
)

# --- event pipeline (docs/events.md) ---------------------------------------------------------
# One queue per worker, each with a DLQ. Chalice's on_sqs_message cannot enable
# ReportBatchItemFailures (DESIGN.md trap 9); the CDK stack attaches every queue with it.
# A queue whose handler relies on it says so (`reports_partial_failures`) and takes up to 10
# records; the others take one, so a failure fails the whole (one-record) batch either way.
# Batched (issue 16): the self-idempotent workers hand a batch's events to their `many`
# handler at once (workers/batch.py): the fuller the batch, the fewer calls and writes per
# event. Background queues (audit, analytics, email, webhook fan-out) also wait up to
# BACKGROUND_WINDOW_S to fill one; notify and live answer at once.
BACKGROUND_WINDOW_S = 1
STREAM_HANDLER = "stream_to_bus"
# Chalice needs a literal ARN at import time; the CDK stack swaps in the table's real stream.
STREAM_ARN_PLACEHOLDER = (
    "arn:aws:dynamodb:us-east-1:000000000000:table/reserver-main/stream/placeholder"
)
NOTIFY_QUEUE = QueueDef(
    "reserver-notify", handler="notify_worker", batch_size=10, reports_partial_failures=True
)
EMAIL_QUEUE = QueueDef(
    "reserver-email",
    handler="email_worker",
    batch_size=10,
    reports_partial_failures=True,
    batching_window_s=BACKGROUND_WINDOW_S,
)
WEBHOOK_QUEUE = QueueDef(
    "reserver-webhooks",
    handler="webhook_fanout_worker",
    batch_size=10,
    reports_partial_failures=True,
    batching_window_s=BACKGROUND_WINDOW_S,
)
WEBHOOK_DELIVERY_QUEUE = QueueDef(
    "reserver-webhook-deliveries", handler="webhook_delivery_worker", batch_size=1
)
AUDIT_QUEUE = QueueDef(
    "reserver-audit",
    handler="audit_worker",
    batch_size=10,
    reports_partial_failures=True,
    batching_window_s=BACKGROUND_WINDOW_S,
)
# Waitlist: events that may free a window (or a new entry) -> offers (workers/waitlist.py).
WAITLIST_QUEUE = QueueDef("reserver-waitlist", handler="waitlist_worker", batch_size=1)
WAITLIST_TRIGGERS: tuple[str, ...] = (
    events.RESERVATION_CANCELLED,
    events.RESERVATION_EXPIRED,
    events.RESERVATION_NO_SHOW,
    events.RESERVATION_RESCHEDULED,
    events.APPROVAL_REJECTED,
    events.RESOURCE_MAINTENANCE_ENDED,
    events.WAITLIST_JOINED,
)
# Live pushes (chalicelib/workers/live.py): 10 a batch, coalesced per socket; short
# visibility, since a live message that comes a minute late is worth little.
LIVE_QUEUE = QueueDef(
    "reserver-live",
    handler="live_worker",
    batch_size=10,
    visibility_timeout_s=30,
    max_receive_count=3,
    reports_partial_failures=True,
)

# Analytics (issue 12): every reservation change -> the booked-versus-used counters
# (chalicelib/workers/analytics.py, docs/analytics.md).
ANALYTICS_QUEUE = QueueDef(
    "reserver-analytics",
    handler="analytics_worker",
    batch_size=10,
    reports_partial_failures=True,
    batching_window_s=BACKGROUND_WINDOW_S,
)

# Bulk lane (issue 16, domain/pipeline/lanes.py): the events of bulk/series/import writes,
# packed in envelopes of <= 50; one worker hands each to the handlers its own queue's rule
# would have reached. An envelope takes longer than one event: visibility 2x Lambda's 60 s.
BULK_QUEUE = QueueDef(
    "reserver-bulk", handler="bulk_worker", batch_size=1, visibility_timeout_s=120
)

_JOBS = (
    ScheduleDef(
        "expire-reservations",
        "expire_reservations_job",
        5,
        "Mark active reservations whose end has passed as expired",
    ),
    ScheduleDef(
        "maintenance-auto-reset",
        "maintenance_reset_job",
        5,
        "End maintenance windows whose auto-reset time has passed",
    ),
    ScheduleDef(
        "send-reminders",
        "reminders_job",
        5,
        "Emit one reminder per reservation, reminder_hours before it starts",
    ),
    ScheduleDef(
        "webhook-retry-sweep",
        "webhook_retry_job",
        2,
        "Re-enqueue webhook deliveries whose backoff exceeds SQS's 15-minute delay",
    ),
    ScheduleDef(
        "purge-stale-records",
        "purge_records_job",
        60,
        "Delete expired idempotency and WebSocket connection records",
    ),
    ScheduleDef(
        "audit-retention",
        "audit_retention_job",
        1440,
        "Delete audit entries older than the retention period",
    ),
    # Bulk bookings / series (services/reservations/recovery.py): roll back anchors stuck in
    # `creating`.
    ScheduleDef(
        "recover-stuck-batches",
        "recover_batches_job",
        5,
        "Roll back series and bulk batches left half-written by a crashed request",
    ),
    # Check-in (issue 10): reservations whose check-in window closed unused free their slot.
    ScheduleDef(
        "release-no-shows",
        "release_no_shows_job",
        1,
        "Release reservations whose check-in window closed without a check-in (no-show)",
    ),
    # Waitlist: offers not accepted in time release their hold (the next entry gets it).
    ScheduleDef(
        "expire-waitlist-offers",
        "waitlist_offers_job",
        1,
        "Release waitlist offers whose deadline passed and close entries whose time is over",
    ),
    # Approvals (issue 10): services/reservations/approval_jobs.py.
    ScheduleDef(
        "expire-approvals",
        "expire_approvals_job",
        5,
        "Expire approval requests undecided past their resource's expiry_hours or their start",
    ),
    ScheduleDef(
        "remind-approvers",
        "remind_approvers_job",
        15,
        "Remind the approvers of a step waiting longer than remind_after_hours (once per step)",
    ),
    # Analytics (issue 12): recompute the counters from the table (repairs any drift).
    ScheduleDef(
        "rebuild-analytics",
        "rebuild_analytics_job",
        1440,
        "Rebuild the analytics counters from the reservations in the table",
    ),
)

TOPOLOGY = Topology(
    tables=(MAIN_TABLE, IDEMPOTENCY_TABLE, RATE_LIMIT_TABLE),
    bus_name="reserver-bus",
    event_source="resource-reserver",
    queues=(
        NOTIFY_QUEUE,
        EMAIL_QUEUE,
        WEBHOOK_QUEUE,
        WEBHOOK_DELIVERY_QUEUE,
        AUDIT_QUEUE,
        WAITLIST_QUEUE,  # waitlist
        LIVE_QUEUE,
        ANALYTICS_QUEUE,  # analytics (issue 12)
        BULK_QUEUE,  # bulk lane (issue 16)
    ),
    rules=(
        RuleDef("reserver-to-notify", NOTIFY_QUEUE.name, event_catalogue.NOTIFY_EVENT_NAMES),
        RuleDef("reserver-to-email", EMAIL_QUEUE.name, event_catalogue.EMAIL_EVENT_NAMES),
        RuleDef("reserver-to-webhooks", WEBHOOK_QUEUE.name, event_catalogue.WEBHOOK_EVENT_NAMES),
        RuleDef("reserver-to-audit", AUDIT_QUEUE.name, (events.AUDIT_CHANGE,)),
        RuleDef("reserver-to-waitlist", WAITLIST_QUEUE.name, WAITLIST_TRIGGERS),  # waitlist
        RuleDef("reserver-to-live", LIVE_QUEUE.name, LIVE_EVENT_NAMES),
        # analytics (issue 12)
        RuleDef("reserver-to-analytics", ANALYTICS_QUEUE.name, (ANALYTICS_RESERVATION_CHANGED,)),
        # bulk lane (issue 16)
        RuleDef("reserver-to-bulk", BULK_QUEUE.name, (BULK_BATCH,)),
    ),
    schedules=_JOBS,
    ses_identities=("no-reply@reserver.local",),
)
