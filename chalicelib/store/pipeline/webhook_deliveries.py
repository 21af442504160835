"""Webhook deliveries: one item per (event, webhook), its attempts, and the retry index.

| item              | PK            | SK              | GSI2 (sparse: waiting for the sweep)   |
|-------------------|---------------|-----------------|----------------------------------------|
| webhook_delivery  | WEBHOOK#<id>  | DELIVERY#<ulid> | WEBHOOK_RETRY / <next attempt>#<ulid>  |

Each attempt is recorded with the condition that the attempt count is still what the worker
read, so two copies of one message can never both record attempt n. Deliveries expire 30
days after creation (TTL, and readers filter).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.errors import NotFound
from chalicelib.domain.pipeline.webhooks import Attempt, Delivery, DeliveryStatus
from chalicelib.domain.timeutil import epoch_seconds, iso_z, parse_instant
from chalicelib.store.pipeline.webhooks import webhook_pk
from chalicelib.store.table import TableItem, bind

RETENTION = timedelta(days=30)
RETRY_PK = "WEBHOOK_RETRY"
_SK = "DELIVERY#"


def delivery_sk(delivery_id: str) -> str:
    return f"{_SK}{delivery_id}"


class DeliveryItem(TableItem, discriminator="webhook_delivery"):  # type: ignore[call-arg]
    delivery_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    event_name = UnicodeAttribute()
    event_id = UnicodeAttribute()
    payload = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = UnicodeAttribute()  # JSON list (at most 6 attempts: small)
    attempt_count = NumberAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    redelivery_of = UnicodeAttribute(null=True)


def _attempt_json(a: Attempt) -> dict[str, Any]:
    return {
        "number": a.number,
        "at": iso_z(a.at),
        "status_code": a.status_code,
        "latency_ms": a.latency_ms,
        "ok": a.ok,
        "error": a.error,
        "response_excerpt": a.response_excerpt,
    }


def _attempt(raw: dict[str, Any]) -> Attempt:
    return Attempt(
        number=int(raw["number"]),
        at=parse_instant(str(raw["at"])),
        status_code=None if raw.get("status_code") is None else int(raw["status_code"]),
        latency_ms=int(raw.get("latency_ms") or 0),
        ok=bool(raw.get("ok")),
        error=str(raw.get("error") or ""),
        response_excerpt=str(raw.get("response_excerpt") or ""),
    )


def _to_domain(item: DeliveryItem) -> Delivery:
    return Delivery(
        delivery_id=item.delivery_id,
        webhook_id=item.webhook_id,
        owner_id=item.owner_id,
        event_name=item.event_name,
        event_id=item.event_id,
        payload=item.payload,
        status=DeliveryStatus(item.status),
        created_at=parse_instant(item.created_at),
        attempts=tuple(_attempt(a) for a in json.loads(item.attempts or "[]")),
        next_attempt_at=parse_instant(item.next_attempt_at) if item.next_attempt_at else None,
        redelivery_of=item.redelivery_of,
    )


def _record_actions(
    delivery_id: str,
    attempts: list[Attempt],
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
    swept: bool,
) -> list[Action]:
    actions: list[Action] = [
        DeliveryItem.attempts.set(json.dumps([_attempt_json(a) for a in attempts])),
        DeliveryItem.attempt_count.set(len(attempts)),
        DeliveryItem.status.set(status.value),
    ]
    if next_attempt_at is None:
        actions.append(DeliveryItem.next_attempt_at.remove())
        return actions
    actions.append(DeliveryItem.next_attempt_at.set(iso_z(next_attempt_at)))
    if swept:
        actions.append(DeliveryItem.GSI2PK.set(RETRY_PK))
        actions.append(DeliveryItem.GSI2SK.set(f"{iso_z(next_attempt_at)}#{delivery_id}"))
    return actions


class DeliveryStore:
    def add(self, delivery: Delivery) -> bool:
        """Record a new delivery once; False if this id exists (a redelivered fan-out)."""
        bind()
        item = DeliveryItem(
            PK=webhook_pk(delivery.webhook_id),
            SK=delivery_sk(delivery.delivery_id),
            delivery_id=delivery.delivery_id,
            webhook_id=delivery.webhook_id,
            owner_id=delivery.owner_id,
            event_name=delivery.event_name,
            event_id=delivery.event_id,
            payload=delivery.payload,
            status=delivery.status.value,
            attempts="[]",
            attempt_count=0,
            created_at=iso_z(delivery.created_at),
            redelivery_of=delivery.redelivery_of,
            expires_at=epoch_seconds(delivery.created_at + RETENTION),
        )
        try:
            item.save(condition=DeliveryItem.PK.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, webhook_id: str, delivery_id: str, *, now: datetime) -> Delivery | None:
        bind()
        try:
            item = DeliveryItem.get(
                webhook_pk(webhook_id), delivery_sk(delivery_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        if item.expires_at is not None and int(item.expires_at) <= epoch_seconds(now):
            return None
        return _to_domain(item)

    def require(self, webhook_id: str, delivery_id: str, *, now: datetime) -> Delivery:
        found = self.get(webhook_id, delivery_id, now=now)
        if found is None:
            raise NotFound("no such delivery", code="delivery_not_found")
        return found

    def record(
        self,
        delivery: Delivery,
        attempt: Attempt,
        status: DeliveryStatus,
        *,
        next_attempt_at: datetime | None = None,
        swept: bool = False,
    ) -> Delivery | None:
        """Append `attempt` if nobody recorded it first; None when someone did.

        `swept`: the next attempt is too far away for an SQS delay, so the delivery joins the
        sparse retry index that the sweep job reads.
        """
        item = DeliveryItem(webhook_pk(delivery.webhook_id), delivery_sk(delivery.delivery_id))
        attempts = [*delivery.attempts, attempt]
        actions = _record_actions(delivery.delivery_id, attempts, status, next_attempt_at, swept)
        try:
            item.update(
                actions=actions,
                condition=DeliveryItem.attempt_count == delivery.attempt_count,
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return replace(
            delivery, attempts=tuple(attempts), status=status, next_attempt_at=next_attempt_at
        )

    def due_for_retry(self, now: datetime, limit: int = 100) -> list[tuple[str, str, int]]:
        """(webhook id, delivery id, attempt count) of swept deliveries whose time has come."""
        bind()
        results = DeliveryItem.gsi2.query(
            RETRY_PK, f"{iso_z(now)}#~" >= DeliveryItem.GSI2SK, limit=limit
        )
        return [
            (i.webhook_id, i.delivery_id, int(i.attempt_count))
            for i in results
            if isinstance(i, DeliveryItem)
        ]

    def claim_retry(self, webhook_id: str, delivery_id: str, attempt_count: int) -> bool:
        """Take a swept delivery off the retry index; only one of two racing sweeps wins."""
        item = DeliveryItem(webhook_pk(webhook_id), delivery_sk(delivery_id))
        try:
            item.update(
                actions=[DeliveryItem.GSI2PK.remove(), DeliveryItem.GSI2SK.remove()],
                condition=DeliveryItem.GSI2PK.exists()
                & (DeliveryItem.attempt_count == attempt_count),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def page(
        self, webhook_id: str, *, now: datetime, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[Delivery], dict[str, Any] | None]:
        """Newest first; expired deliveries are skipped (TTL is lazy)."""
        bind()
        results = DeliveryItem.query(
            webhook_pk(webhook_id),
            DeliveryItem.SK.startswith(_SK),
            filter_condition=DeliveryItem.expires_at > epoch_seconds(now),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start_key,
        )
        items = [_to_domain(i) for i in results if isinstance(i, DeliveryItem)]
        return items, results.last_evaluated_key
