"""The event pipeline: publisher, workers' idempotency, notifications, email, webhooks,
audit, jobs, operations, and the WebSocket sender."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.settings import get_settings
from chalicelib.topology import TOPOLOGY
from chalicelib.wiring.core import (
    aws,
    built,
    clock,
    cursors,
    ids,
    pick,
    prefetch_pool,
    wall_clock,
)
from chalicelib.wiring.reservations import (
    approval_jobs,
    approver_mail,
    booking_writer,
    no_shows,
    recovery,
)
from chalicelib.wiring.waitlist import waitlist_offers  # waitlist

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

    from chalicelib.domain.accounts.secrets_box import SecretBox
    from chalicelib.integrations.event_bus import EventPublisher
    from chalicelib.integrations.mailer import Mailer
    from chalicelib.integrations.task_queue import TaskQueue
    from chalicelib.integrations.webhook_sender import WebhookSender
    from chalicelib.integrations.websocket_sender import WebsocketSender
    from chalicelib.services.analytics.recorder import AnalyticsRecorder  # analytics (issue 12)
    from chalicelib.services.pipeline.audit import AuditService
    from chalicelib.services.pipeline.email import EmailService
    from chalicelib.services.pipeline.jobs import JobService
    from chalicelib.services.pipeline.live import LiveFanout, SessionGuard
    from chalicelib.services.pipeline.notifications import Directory, NotificationService, Pusher
    from chalicelib.services.pipeline.operations import OperationsService
    from chalicelib.services.pipeline.webhook_dispatch import WebhookDispatcher
    from chalicelib.services.pipeline.webhooks import WebhookService
    from chalicelib.store.pipeline.connections import ConnectionStore


@built
def publisher() -> EventPublisher:
    from chalicelib.integrations.event_bus import EventBridgePublisher

    def build() -> EventPublisher:
        return EventBridgePublisher(
            aws("events"), bus_name=get_settings().event_bus_name, source=TOPOLOGY.event_source
        )

    return pick("publisher", build)


@built
def persistence(worker_name: str) -> BasePersistenceLayer:
    """One idempotency persistence layer per worker (Powertools keeps per-function state)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    def build() -> BasePersistenceLayer:
        return DynamoDBPersistenceLayer(
            table_name=get_settings().idempotency_table_name,
            key_attr="id",
            expiry_attr="expiration",
            boto3_client=aws("dynamodb"),
        )

    return pick("persistence", build)


@built
def directory() -> Directory:
    from chalicelib.store.pipeline.directory import StoreDirectory

    return pick("directory", lambda: StoreDirectory(cursors()))


@built
def pusher() -> Pusher:
    """Notifications reach the user's signed-in WebSocket connections, each one checked."""
    return pick("pusher", live_fanout)


@built
def connections() -> ConnectionStore:
    from chalicelib.store.pipeline.connections import ConnectionStore

    return ConnectionStore()


def websocket_sender() -> WebsocketSender:
    from chalicelib.integrations.websocket_api import websocket_api
    from chalicelib.integrations.websocket_sender import WebsocketSender

    return WebsocketSender(pick("websocket_api", lambda: websocket_api), connections(), clock())


def session_guard() -> SessionGuard:
    from chalicelib.services.pipeline.live import SessionGuard
    from chalicelib.store.pipeline.ws_sessions import AccountFacts

    return SessionGuard(AccountFacts(), websocket_sender(), clock())


def live_fanout() -> LiveFanout:
    from chalicelib.services.pipeline.live import LiveFanout
    from chalicelib.wiring.reservations import approver_mail  # approvers' queues (issue 10)

    return LiveFanout(
        connections(),
        session_guard(),
        websocket_sender(),
        clock(),
        pool=prefetch_pool(),
        approvers=approver_mail().approvers,
    )


@built
def notifications() -> NotificationService:
    from chalicelib.services.pipeline.notifications import NotificationService
    from chalicelib.store.pipeline.notifications import NotificationStore

    return NotificationService(NotificationStore(), directory(), pusher(), clock(), cursors())


@built
def mailer() -> Mailer:
    from chalicelib.integrations.mailer import SesMailer

    return pick("mailer", lambda: SesMailer(aws("ses"), get_settings().ses_sender))


@built
def email() -> EmailService:
    from datetime import timedelta

    from chalicelib.services.pipeline.email import BatchSends, EmailService, EmailSettings
    from chalicelib.store.pipeline.email_claims import EmailClaimStore
    from chalicelib.topology import BULK_QUEUE
    from chalicelib.wiring.accounts import email_verification

    settings = get_settings()
    # The bulk lane's claims outlive one invocation (at most the queue's visibility timeout).
    lease = timedelta(seconds=BULK_QUEUE.visibility_timeout_s)
    return EmailService(
        directory(),
        mailer(),
        EmailSettings(settings.ses_sender, settings.frontend_url),
        email_verification(),
        approver_mail=approver_mail(),
        batch=BatchSends(EmailClaimStore(), clock(), lease),
    )


@built
def secret_box() -> SecretBox:
    from chalicelib.domain.accounts.secrets_box import SecretBox
    from chalicelib.services.pipeline.webhooks import SECRET_PURPOSE

    return SecretBox(get_settings().secret_key, purpose=SECRET_PURPOSE)


@built
def delivery_queue() -> TaskQueue:
    from chalicelib.integrations.task_queue import SqsTaskQueue
    from chalicelib.topology import WEBHOOK_DELIVERY_QUEUE as QUEUE

    return pick("delivery_queue", lambda: SqsTaskQueue(aws("sqs"), QUEUE.name, QUEUE.dlq_name))


@built
def webhook_sender() -> WebhookSender:
    from chalicelib.integrations.webhook_sender import HttpWebhookSender

    return pick("webhook_sender", HttpWebhookSender)


@built
def webhooks() -> WebhookService:
    from chalicelib.services.pipeline.webhooks import WebhookService
    from chalicelib.store.pipeline.webhook_deliveries import DeliveryStore
    from chalicelib.store.pipeline.webhooks import WebhookStore

    return WebhookService(
        WebhookStore(),
        DeliveryStore(),
        box=secret_box(),
        queue=delivery_queue(),
        clock=clock(),
        ids=ids(),
        cursors=cursors(),
    )


@built
def dispatcher() -> WebhookDispatcher:
    from chalicelib.services.pipeline.webhook_dispatch import WebhookDispatcher
    from chalicelib.store.pipeline.webhook_deliveries import DeliveryStore
    from chalicelib.store.pipeline.webhooks import WebhookStore

    return WebhookDispatcher(
        WebhookStore(),
        DeliveryStore(),
        directory=directory(),
        box=secret_box(),
        sender=webhook_sender(),
        queue=delivery_queue(),
        clock=clock(),
        retry_scale=get_settings().webhook_retry_scale,
    )


@built
def audit() -> AuditService:
    from chalicelib.services.pipeline.audit import AuditService
    from chalicelib.store.pipeline.audit import AuditStore

    return AuditService(
        AuditStore(),
        clock(),
        cursors(),
        retention_days=get_settings().audit_retention_days,
    )


def _analytics_recorder() -> AnalyticsRecorder:  # analytics (issue 12)
    from chalicelib.wiring.analytics import analytics_recorder

    return analytics_recorder()


@built
def jobs() -> JobService:
    from chalicelib.services.pipeline.jobs import JobDeps, JobService
    from chalicelib.store.catalog.repository import ResourceStore
    from chalicelib.store.pipeline.connections import ConnectionStore
    from chalicelib.store.pipeline.jobs import JobStore
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.repository import ReservationStore

    deps = JobDeps(
        jobs=JobStore(),
        reservations=ReservationStore(),
        writer=booking_writer(),
        listing=ReservationListing(),
        resources=ResourceStore(cursors()),
        contacts=directory(),
        connections=ConnectionStore(),
        audit=audit(),
        webhooks=dispatcher(),
        recovery=recovery(),
        no_shows=no_shows(),
        waitlist=waitlist_offers(),  # waitlist
        approvals=approval_jobs(),  # approvals (issue 10)
        analytics=_analytics_recorder(),  # analytics (issue 12)
    )
    return JobService(deps, clock(), wall_clock())


@built
def operations() -> OperationsService:
    from chalicelib.integrations.dead_letters import SqsDeadLetters
    from chalicelib.services.pipeline.operations import OperationsService

    return OperationsService(SqsDeadLetters(aws("sqs"), TOPOLOGY), jobs())
