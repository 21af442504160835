"""Webhook delivery: fan an event out to matching subscriptions, run one attempt per message,
schedule retries, and sweep retries that are too far away for an SQS delay.

Retry scheme (docs/webhooks.md): after a failed attempt the next one waits 1 min, 5 min,
15 min, 1 h, 2 h. Waits up to 15 min are an SQS `DelaySeconds` on the next message; longer
ones park the delivery on a sparse index that the `webhook-retry-sweep` job (every 2 min)
re-enqueues. After the sixth failure the delivery is `failed` and its task goes to the
deliveries DLQ, where admins see it and can redrive it (one more attempt).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.accounts.secrets_box import DecryptionFailed, SecretBox
from chalicelib.domain.clock import Clock
from chalicelib.domain.pipeline.events import DomainEvent, derived_ulid
from chalicelib.domain.pipeline.notifications import Contact
from chalicelib.domain.pipeline.webhooks import (
    ALL_EVENTS,
    Attempt,
    Delivery,
    DeliveryStatus,
    Webhook,
    may_receive,
    parse_network,
    retry_delay,
    sign,
)
from chalicelib.integrations.ssrf import AllowEntry
from chalicelib.integrations.task_queue import MAX_DELAY_S, TaskQueue
from chalicelib.integrations.webhook_sender import SendResult, WebhookSender
from chalicelib.observability import logger
from chalicelib.services.pipeline.notifications import Directory
from chalicelib.services.pipeline.webhooks import delivery_task
from chalicelib.store.pipeline.webhook_deliveries import DeliveryStore
from chalicelib.store.pipeline.webhooks import WebhookStore


@dataclass(frozen=True)
class DeliveryTask:
    webhook_id: str
    delivery_id: str
    attempt: int

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> DeliveryTask:
        try:
            return cls(str(raw["webhook_id"]), str(raw["delivery_id"]), int(raw["attempt"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a delivery task: {exc}") from exc


class WebhookDispatcher:
    def __init__(
        self,
        store: WebhookStore,
        deliveries: DeliveryStore,
        *,
        directory: Directory,
        box: SecretBox,
        sender: WebhookSender,
        queue: TaskQueue,
        clock: Clock,
        retry_scale: float = 1.0,
    ) -> None:
        self._store = store
        self._deliveries = deliveries
        self._directory = directory
        self._box = box
        self._sender = sender
        self._queue = queue
        self._clock = clock
        self._retry_scale = retry_scale

    # --- fan-out (webhooks queue) -------------------------------------------------------------

    def fan_out(self, event: DomainEvent) -> int:
        """One delivery per matching subscription whose owner may see the event."""
        return self.fan_out_many([event])

    def fan_out_many(self, events: Sequence[DomainEvent]) -> int:
        """`fan_out` for a batch (issue 16, the bulk lane): the subscriptions of each event
        name and each owner are looked up once for the whole batch."""
        hooks: dict[str, list[Webhook]] = {}
        owners: dict[str, Contact | None] = {}
        started = 0
        for event in events:
            if event.name not in hooks:
                hooks[event.name] = list(self._store.subscribed_to([event.name, ALL_EVENTS]))
            started += self._fan_out_one(event, hooks[event.name], owners)
        return started

    def _fan_out_one(
        self, event: DomainEvent, hooks: list[Webhook], owners: dict[str, Contact | None]
    ) -> int:
        body = json.dumps(event.to_dict(), separators=(",", ":"), sort_keys=True)
        started = 0
        for hook in hooks:
            if hook.owner_id not in owners:
                owners[hook.owner_id] = self._directory.contact(hook.owner_id)
            owner = owners[hook.owner_id]
            if owner is None or not may_receive(hook.owner_id, owner.is_admin, event):
                continue
            delivery = Delivery(
                delivery_id=derived_ulid(
                    f"delivery/{event.event_id}/{hook.webhook_id}",
                    event.metadata.occurred_at,
                    event.metadata.sequence,
                ),
                webhook_id=hook.webhook_id,
                owner_id=hook.owner_id,
                event_name=event.name,
                event_id=event.event_id,
                payload=body,
                status=DeliveryStatus.PENDING,
                created_at=self._clock.now(),
            )
            if self._deliveries.add(delivery) or self._never_tried(delivery):
                self._queue.enqueue(delivery_task(delivery, 1))
                started += 1
        return started

    def _never_tried(self, delivery: Delivery) -> bool:
        """A fan-out that died between recording and enqueueing gets its enqueue now."""
        stored = self._deliveries.get(
            delivery.webhook_id, delivery.delivery_id, now=self._clock.now()
        )
        return stored is not None and stored.attempt_count == 0

    # --- one attempt (deliveries queue) -------------------------------------------------------

    def attempt(self, task: DeliveryTask) -> Delivery | None:
        now = self._clock.now()
        delivery = self._deliveries.get(task.webhook_id, task.delivery_id, now=now)
        if delivery is None or delivery.status == DeliveryStatus.SUCCEEDED:
            return delivery
        if delivery.attempt_count >= task.attempt:
            return delivery  # a duplicate of an attempt already made
        found = self._store.get_with_secret(task.webhook_id)
        if found is None or not found[0].active:
            reason = "the webhook was deleted" if found is None else "the webhook is disabled"
            return self._give_up(delivery, SendResult(None, 0, False, error=reason), dlq=False)
        hook, sealed = found
        try:
            secret = self._box.open(sealed, bound_to=hook.webhook_id)
        except DecryptionFailed:
            result = SendResult(None, 0, False, error="the signing secret cannot be decrypted")
            return self._give_up(delivery, result, dlq=True)
        body = delivery.payload.encode()
        headers = {
            "X-Webhook-Id": delivery.delivery_id,
            "X-Webhook-Event": delivery.event_name,
            "X-Webhook-Attempt": str(task.attempt),
            "X-Webhook-Signature": sign(secret, int(now.timestamp()), body),
        }
        allowed = [
            AllowEntry(parse_network(str(e["network"])), e["port"])
            for e in self._store.allowlist_for(hook)
        ]
        result = self._sender.send(hook.url, body, headers, allowed)
        if result.ok:
            return self._deliveries.record(
                delivery, self._attempt(delivery, result), DeliveryStatus.SUCCEEDED
            )
        if result.blocked:
            return self._give_up(delivery, result, dlq=True)
        return self._retry_or_fail(delivery, result)

    def _attempt(self, delivery: Delivery, result: SendResult) -> Attempt:
        return Attempt(
            number=delivery.attempt_count + 1,
            at=self._clock.now(),
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            ok=result.ok,
            error=result.error,
            response_excerpt=result.excerpt[:1024],
        )

    def _retry_or_fail(self, delivery: Delivery, result: SendResult) -> Delivery | None:
        delay = retry_delay(delivery.attempt_count + 1)
        if delay is None:
            return self._give_up(delivery, result, dlq=True)
        wait_s = int(delay.total_seconds() * self._retry_scale)
        next_at = self._clock.now() + delay * self._retry_scale
        swept = wait_s > MAX_DELAY_S
        recorded = self._deliveries.record(
            delivery,
            self._attempt(delivery, result),
            DeliveryStatus.RETRYING,
            next_attempt_at=next_at,
            swept=swept,
        )
        if recorded is not None and not swept:
            self._queue.enqueue(delivery_task(recorded, recorded.attempt_count + 1), delay_s=wait_s)
        return recorded

    def _give_up(self, delivery: Delivery, result: SendResult, *, dlq: bool) -> Delivery | None:
        recorded = self._deliveries.record(
            delivery, self._attempt(delivery, result), DeliveryStatus.FAILED
        )
        if recorded is not None and dlq:
            task = delivery_task(recorded, recorded.attempt_count + 1)
            self._queue.dead_letter(task, reason=result.error or f"HTTP {result.status_code}")
            logger.warning(
                "webhook delivery failed for good", extra={**task, "error": result.error}
            )
        return recorded

    # --- the retry sweep (scheduled) ----------------------------------------------------------

    def sweep(self) -> int:
        """Enqueue parked retries whose time has come; overlapping sweeps enqueue each once."""
        enqueued = 0
        for webhook_id, delivery_id, count in self._deliveries.due_for_retry(self._clock.now()):
            if self._deliveries.claim_retry(webhook_id, delivery_id, count):
                self._queue.enqueue(
                    {
                        "kind": "webhook_delivery",
                        "webhook_id": webhook_id,
                        "delivery_id": delivery_id,
                        "attempt": count + 1,
                    }
                )
                enqueued += 1
        return enqueued
