"""Composition root of the event pipeline (a companion of `wiring.py`, reset with it).

Everything is built on first use, never at import. Tests swap one collaborator for a fake
with `override(name, value)` (for example a mailer that fails once), never by patching.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from chalicelib import wiring
from chalicelib.settings import get_settings
from chalicelib.topology import TOPOLOGY

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

    from chalicelib.domain.accounts.secrets_box import SecretBox
    from chalicelib.integrations.event_bus import EventPublisher
    from chalicelib.integrations.mailer import Mailer
    from chalicelib.integrations.task_queue import TaskQueue
    from chalicelib.integrations.webhook_sender import WebhookSender
    from chalicelib.services.pipeline.audit import AuditService
    from chalicelib.services.pipeline.email import EmailService
    from chalicelib.services.pipeline.jobs import JobService
    from chalicelib.services.pipeline.notifications import Directory, NotificationService, Pusher
    from chalicelib.services.pipeline.operations import OperationsService
    from chalicelib.services.pipeline.webhook_dispatch import WebhookDispatcher
    from chalicelib.services.pipeline.webhooks import WebhookService

T = TypeVar("T")
_overrides: dict[str, Any] = {}


def override(name: str, value: Any) -> None:
    """Replace one collaborator (tests): `override("mailer", FlakyMailer())`."""
    _overrides[name] = value
    _clear_caches()


def _pick(name: str, build: Callable[[], T]) -> T:
    if name in _overrides:
        return cast(T, _overrides[name])
    return build()


def aws(service: str) -> Any:
    from chalicelib.integrations import aws_clients

    return _pick(f"aws:{service}", lambda: aws_clients.client(service, get_settings().region))


@lru_cache(maxsize=1)
def publisher() -> EventPublisher:
    from chalicelib.integrations.event_bus import EventBridgePublisher

    def build() -> EventPublisher:
        return EventBridgePublisher(
            aws("events"), bus_name=get_settings().event_bus_name, source=TOPOLOGY.event_source
        )

    return _pick("publisher", build)


@lru_cache(maxsize=16)
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

    return _pick("persistence", build)


@lru_cache(maxsize=1)
def directory() -> Directory:
    from chalicelib.store.pipeline.directory import StoreDirectory

    return _pick("directory", lambda: StoreDirectory(wiring.cursors()))


@lru_cache(maxsize=1)
def pusher() -> Pusher:
    from chalicelib.services.pipeline.notifications import NoPusher

    return _pick("pusher", _websocket_pusher_or(NoPusher))


def _websocket_pusher_or(fallback: Callable[[], Pusher]) -> Callable[[], Pusher]:
    def build() -> Pusher:
        try:
            from chalicelib.integrations import websocket_sender
        except ImportError:  # the WebSocket side is optional for the pipeline
            return fallback()
        factory = getattr(websocket_sender, "user_pusher", None)
        return cast("Pusher", factory()) if callable(factory) else fallback()

    return build


@lru_cache(maxsize=1)
def notifications() -> NotificationService:
    from chalicelib.services.pipeline.notifications import NotificationService
    from chalicelib.store.pipeline.notifications import NotificationStore

    return NotificationService(
        NotificationStore(), directory(), pusher(), wiring.clock(), wiring.cursors()
    )


@lru_cache(maxsize=1)
def mailer() -> Mailer:
    from chalicelib.integrations.mailer import SesMailer

    return _pick("mailer", lambda: SesMailer(aws("ses"), get_settings().ses_sender))


@lru_cache(maxsize=1)
def email() -> EmailService:
    from chalicelib.services.pipeline.email import EmailService, EmailSettings

    settings = get_settings()
    return EmailService(
        directory(), mailer(), EmailSettings(settings.ses_sender, settings.frontend_url)
    )


@lru_cache(maxsize=1)
def secret_box() -> SecretBox:
    from chalicelib.domain.accounts.secrets_box import SecretBox
    from chalicelib.services.pipeline.webhooks import SECRET_PURPOSE

    return SecretBox(get_settings().secret_key, purpose=SECRET_PURPOSE)


@lru_cache(maxsize=1)
def delivery_queue() -> TaskQueue:
    from chalicelib.integrations.task_queue import SqsTaskQueue
    from chalicelib.topology import WEBHOOK_DELIVERY_QUEUE as QUEUE

    return _pick("delivery_queue", lambda: SqsTaskQueue(aws("sqs"), QUEUE.name, QUEUE.dlq_name))


@lru_cache(maxsize=1)
def webhook_sender() -> WebhookSender:
    from chalicelib.integrations.ssrf import AllowEntry
    from chalicelib.integrations.webhook_sender import HttpWebhookSender
    from chalicelib.store.pipeline.webhooks import WebhookStore

    def allowlist() -> list[AllowEntry]:
        from chalicelib.domain.pipeline.webhooks import parse_network

        return [
            AllowEntry(parse_network(str(e["network"])), e["port"])  # type: ignore[arg-type]
            for e in WebhookStore().allowlist()
        ]

    return _pick("webhook_sender", lambda: HttpWebhookSender(allowlist))


@lru_cache(maxsize=1)
def webhooks() -> WebhookService:
    from chalicelib.services.pipeline.webhooks import WebhookService
    from chalicelib.store.pipeline.webhook_deliveries import DeliveryStore
    from chalicelib.store.pipeline.webhooks import WebhookStore

    return WebhookService(
        WebhookStore(),
        DeliveryStore(),
        box=secret_box(),
        queue=delivery_queue(),
        clock=wiring.clock(),
        ids=wiring.ids(),
        cursors=wiring.cursors(),
    )


@lru_cache(maxsize=1)
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
        clock=wiring.clock(),
        retry_scale=get_settings().webhook_retry_scale,
    )


@lru_cache(maxsize=1)
def audit() -> AuditService:
    from chalicelib.services.pipeline.audit import AuditService
    from chalicelib.store.pipeline.audit import AuditStore

    return AuditService(
        AuditStore(),
        wiring.clock(),
        wiring.cursors(),
        retention_days=get_settings().audit_retention_days,
    )


@lru_cache(maxsize=1)
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
        writer=wiring.booking_writer(),
        listing=ReservationListing(),
        resources=ResourceStore(wiring.cursors()),
        contacts=directory(),
        connections=ConnectionStore(),
        audit=audit(),
        webhooks=dispatcher(),
        recovery=wiring.recovery(),
    )
    return JobService(deps, wiring.clock(), wiring.wall_clock())


@lru_cache(maxsize=1)
def operations() -> OperationsService:
    from chalicelib.integrations.dead_letters import SqsDeadLetters
    from chalicelib.services.pipeline.operations import OperationsService

    return OperationsService(SqsDeadLetters(aws("sqs"), TOPOLOGY), jobs())


_CACHED: list[Any] = [
    operations,
    jobs,
    audit,
    publisher,
    persistence,
    directory,
    pusher,
    notifications,
    mailer,
    email,
    secret_box,
    delivery_queue,
    webhook_sender,
    webhooks,
    dispatcher,
]


def _clear_caches() -> None:
    for factory in _CACHED:
        factory.cache_clear()


def reset() -> None:
    """Forget every built collaborator and override (called by `wiring.reset()`)."""
    from chalicelib.integrations import aws_clients

    _overrides.clear()
    _clear_caches()
    aws_clients.reset()
