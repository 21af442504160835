"""Webhook subscriptions: owner-scoped management, test pings, delivery log, redelivery,
and the admin allow-list for otherwise refused (private) destinations.

Someone else's webhook answers 404, like every owned object. The signing secret is shown
only by create and rotate; at rest it is sealed with AES-GCM (key from SECRET_KEY via HKDF).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, replace

from chalicelib.domain.accounts.secrets_box import SecretBox
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.pipeline.events import WEBHOOK_PING, DomainEvent, EventMetadata
from chalicelib.domain.pipeline.webhooks import (
    Delivery,
    DeliveryStatus,
    Webhook,
    parse_network,
    validate_events,
    validate_url,
)
from chalicelib.domain.principal import Principal, require_admin, require_writer
from chalicelib.integrations.task_queue import TaskQueue
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.pipeline.webhook_deliveries import DeliveryStore
from chalicelib.store.pipeline.webhooks import WebhookStore, not_found

SECRET_PURPOSE = "webhook-secret"


@dataclass(frozen=True)
class WebhookDraft:
    url: str
    events: list[str]
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class WebhookChanges:
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class AllowDraft:
    """An allow-list entry names exactly one webhook or one owner: an admin opening a private
    network for one integration must not open it to every user's webhooks."""

    network: str
    port: int | None = None
    note: str = ""
    webhook_id: str | None = None
    owner_id: str | None = None


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def delivery_task(delivery: Delivery, attempt: int) -> dict[str, object]:
    return {
        "kind": "webhook_delivery",
        "webhook_id": delivery.webhook_id,
        "delivery_id": delivery.delivery_id,
        "attempt": attempt,
    }


class WebhookService:
    def __init__(
        self,
        store: WebhookStore,
        deliveries: DeliveryStore,
        *,
        box: SecretBox,
        queue: TaskQueue,
        clock: Clock,
        ids: IdFactory,
        cursors: CursorCodec,
    ) -> None:
        self._store = store
        self._deliveries = deliveries
        self._box = box
        self._queue = queue
        self._clock = clock
        self._ids = ids
        self._cursors = cursors

    # --- subscriptions ----------------------------------------------------------------------

    def create(self, principal: Principal, draft: WebhookDraft) -> tuple[Webhook, str]:
        require_writer(principal)
        now = self._clock.now()
        hook = Webhook(
            webhook_id=self._ids.new_id(),
            owner_id=principal.subject_id,
            url=validate_url(draft.url),
            events=validate_events(draft.events),
            active=draft.active,
            created_at=now,
            updated_at=now,
            description=draft.description,
        )
        secret = new_secret()
        self._store.create(hook, self._box.seal(secret, bound_to=hook.webhook_id))
        return hook, secret

    def page(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[Webhook], str | None]:
        scope = f"webhooks:{principal.subject_id}"
        hooks, last = self._store.page_of_owner(
            principal.subject_id, limit=limit, start_key=self._cursors.decode(cursor, scope=scope)
        )
        return hooks, self._cursors.encode(last, scope=scope)

    def get(self, principal: Principal, webhook_id: str) -> Webhook:
        return self._owned(principal, webhook_id)[0]

    def update(self, principal: Principal, webhook_id: str, changes: WebhookChanges) -> Webhook:
        old, sealed = self._owned_for_write(principal, webhook_id)
        new = replace(
            old,
            url=old.url if changes.url is None else validate_url(changes.url),
            events=old.events if changes.events is None else validate_events(changes.events),
            description=old.description if changes.description is None else changes.description,
            active=old.active if changes.active is None else changes.active,
            updated_at=self._clock.now(),
            version=old.version + 1,
        )
        self._store.replace(old, new, sealed)
        return new

    def delete(self, principal: Principal, webhook_id: str) -> None:
        hook, _ = self._owned_for_write(principal, webhook_id)
        self._store.delete(hook)

    def rotate_secret(self, principal: Principal, webhook_id: str) -> tuple[Webhook, str]:
        old, _ = self._owned_for_write(principal, webhook_id)
        secret = new_secret()
        new = replace(old, updated_at=self._clock.now(), version=old.version + 1)
        self._store.replace(old, new, self._box.seal(secret, bound_to=old.webhook_id))
        return new, secret

    def _owned_for_write(self, principal: Principal, webhook_id: str) -> tuple[Webhook, str]:
        """Guests keep reading their webhooks but change, rotate, ping or redeliver nothing."""
        found = self._owned(principal, webhook_id)
        require_writer(principal)
        return found

    def _owned(self, principal: Principal, webhook_id: str) -> tuple[Webhook, str]:
        found = self._store.get_with_secret(webhook_id) if _plausible(webhook_id) else None
        if found is None:
            raise not_found()
        if found[0].owner_id != principal.subject_id and not principal.is_admin:
            raise not_found()
        return found

    # --- deliveries --------------------------------------------------------------------------

    def ping(self, principal: Principal, webhook_id: str) -> Delivery:
        """Queue a signed `webhook.ping` (never sent inline: a slow receiver blocks nobody)."""
        hook, _ = self._owned_for_write(principal, webhook_id)
        now = self._clock.now()
        event_id = str(uuid.uuid4())
        event = DomainEvent(
            data={"webhook_id": hook.webhook_id, "message": "ping"},
            metadata=EventMetadata(WEBHOOK_PING, event_id, event_id, now),
        )
        return self._start(hook, event.name, event.event_id, _body(event))

    def deliveries(
        self, principal: Principal, webhook_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        hook = self.get(principal, webhook_id)
        scope = f"deliveries:{hook.webhook_id}"
        items, last = self._deliveries.page(
            hook.webhook_id,
            now=self._clock.now(),
            limit=limit,
            start_key=self._cursors.decode(cursor, scope=scope),
        )
        return items, self._cursors.encode(last, scope=scope)

    def delivery(self, principal: Principal, webhook_id: str, delivery_id: str) -> Delivery:
        hook = self.get(principal, webhook_id)
        if not _plausible(delivery_id):
            raise NotFound("no such delivery", code="delivery_not_found")
        return self._deliveries.require(hook.webhook_id, delivery_id, now=self._clock.now())

    def redeliver(self, principal: Principal, webhook_id: str, delivery_id: str) -> Delivery:
        """Send a past delivery's payload again, as a new delivery (the log keeps both)."""
        original = self.delivery(principal, webhook_id, delivery_id)
        hook, _ = self._owned_for_write(principal, webhook_id)
        return self._start(
            hook, original.event_name, original.event_id, original.payload, original.delivery_id
        )

    def _start(
        self,
        hook: Webhook,
        event_name: str,
        event_id: str,
        payload: str,
        redelivery_of: str | None = None,
    ) -> Delivery:
        delivery = Delivery(
            delivery_id=self._ids.new_id(),
            webhook_id=hook.webhook_id,
            owner_id=hook.owner_id,
            event_name=event_name,
            event_id=event_id,
            payload=payload,
            status=DeliveryStatus.PENDING,
            created_at=self._clock.now(),
            redelivery_of=redelivery_of,
        )
        self._deliveries.add(delivery)
        self._queue.enqueue(delivery_task(delivery, 1))
        return delivery

    # --- the admin allow-list ----------------------------------------------------------------

    def allowlist(self, principal: Principal) -> list[dict[str, object]]:
        require_admin(principal)
        return list(self._store.allowlist())

    def allow(self, principal: Principal, draft: AllowDraft) -> dict[str, object]:
        require_admin(principal)
        parsed = parse_network(draft.network)
        if draft.port is not None and not 1 <= draft.port <= 65535:
            raise InvalidInput("port must be 1-65535", code="invalid_port")
        if (draft.webhook_id is None) == (draft.owner_id is None):
            raise InvalidInput(
                "name exactly one of webhook_id or owner_id: an entry opens a network to one "
                "webhook or to one user's webhooks, never to everyone's",
                code="allowlist_scope_required",
                details={"fields": ["webhook_id", "owner_id"]},
            )
        if draft.webhook_id is not None:
            self._owned(principal, draft.webhook_id)  # 404 for a webhook that does not exist
        if draft.owner_id is not None and not _plausible(draft.owner_id):
            raise InvalidInput("owner_id is not a user id", code="invalid_owner_id")
        entry_id = self._ids.new_id()
        self._store.allow(
            entry_id,
            str(parsed),
            port=draft.port,
            note=draft.note,
            webhook_id=draft.webhook_id,
            owner_id=draft.owner_id,
            actor=principal.subject_id,
            now=self._clock.now(),
        )
        return next(e for e in self._store.allowlist() if e["entry_id"] == entry_id)

    def disallow(self, principal: Principal, entry_id: str) -> None:
        require_admin(principal)
        if not _plausible(entry_id):
            raise NotFound("no such allow-list entry", code="allowlist_entry_not_found")
        self._store.disallow(entry_id)


def _body(event: DomainEvent) -> str:
    return json.dumps(event.to_dict(), separators=(",", ":"), sort_keys=True)


def _plausible(identifier: str) -> bool:
    """Ids are short tokens; anything else cannot exist (and must not reach a key)."""
    return 0 < len(identifier) <= 64 and all(c.isalnum() or c in "-_" for c in identifier)
