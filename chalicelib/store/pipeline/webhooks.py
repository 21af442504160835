"""Webhook subscriptions, their event index, per-owner counter and the admin allow-list.

| item                 | PK                     | SK           | GSI1                            |
|----------------------|------------------------|--------------|---------------------------------|
| webhook              | WEBHOOK#<id>           | META         | WEBHOOKS_OF#<owner> / <ts>#<id> |
| webhook_event_index  | WEBHOOK_EVENT#<name|*> | <webhook id> |                                 |
| webhook_count        | WEBHOOKS_OF#<owner>    | COUNT        |                                 |
| webhook_allow        | WEBHOOK_ALLOW          | <entry id>   |                                 |

The index items are written in the same transaction as the subscription, so the fan-out
finds exactly the subscriptions that exist; the counter caps subscriptions per owner with a
condition, not a count-then-insert. Deliveries live in store/pipeline/webhook_deliveries.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain.errors import Conflict, NotFound, RuleViolation
from chalicelib.domain.pipeline.webhooks import Webhook
from chalicelib.domain.timeutil import iso_z, parse_instant
from chalicelib.store import audit_stamp
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

META = "META"
ALLOW_PK = "WEBHOOK_ALLOW"
MAX_PER_OWNER = 25


def webhook_pk(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}"


def owner_pk(owner_id: str) -> str:
    return f"WEBHOOKS_OF#{owner_id}"


def event_index_pk(event_name: str) -> str:
    return f"WEBHOOK_EVENT#{event_name}"


class WebhookItem(TableItem, discriminator="webhook"):  # type: ignore[call-arg]
    webhook_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    active = BooleanAttribute()
    description = UnicodeAttribute(null=True)
    secret_sealed = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute()


class WebhookEventIndexItem(TableItem, discriminator="webhook_event_index"):  # type: ignore[call-arg]
    webhook_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()


class WebhookCountItem(TableItem, discriminator="webhook_count"):  # type: ignore[call-arg]
    total = NumberAttribute(default=0)


class AllowItem(TableItem, discriminator="webhook_allow"):  # type: ignore[call-arg]
    entry_id = UnicodeAttribute()
    network = UnicodeAttribute()
    port = NumberAttribute(null=True)
    note = UnicodeAttribute(null=True)
    # Exactly one is set; an entry from before they existed (neither) applies to nobody.
    webhook_id = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()


def _to_domain(item: WebhookItem) -> Webhook:
    return Webhook(
        webhook_id=item.webhook_id,
        owner_id=item.owner_id,
        url=item.url,
        events=tuple(str(e) for e in item.events or []),
        active=bool(item.active),
        created_at=parse_instant(item.created_at),
        updated_at=parse_instant(item.updated_at),
        description=item.description or "",
        version=int(item.version),
    )


def _item(hook: Webhook, secret_sealed: str) -> WebhookItem:
    return audit_stamp.stamp(
        WebhookItem(
            PK=webhook_pk(hook.webhook_id),
            SK=META,
            GSI1PK=owner_pk(hook.owner_id),
            GSI1SK=f"{iso_z(hook.created_at)}#{hook.webhook_id}",
            webhook_id=hook.webhook_id,
            owner_id=hook.owner_id,
            url=hook.url,
            events=list(hook.events),
            active=hook.active,
            description=hook.description or None,
            secret_sealed=secret_sealed,
            created_at=iso_z(hook.created_at),
            updated_at=iso_z(hook.updated_at),
            version=hook.version,
        )
    )


def _index(hook: Webhook, event_name: str) -> WebhookEventIndexItem:
    return WebhookEventIndexItem(
        PK=event_index_pk(event_name),
        SK=hook.webhook_id,
        webhook_id=hook.webhook_id,
        owner_id=hook.owner_id,
    )


def not_found() -> NotFound:
    return NotFound("no such webhook", code="webhook_not_found")


class WebhookStore:
    def create(self, hook: Webhook, secret_sealed: str) -> None:
        tx = Tx()
        tx.put(_item(hook, secret_sealed), WebhookItem.PK.does_not_exist(), "hook")
        for name in hook.events:
            tx.put(_index(hook, name), None, f"index:{name}")
        tx.update(
            WebhookCountItem(owner_pk(hook.owner_id), "COUNT"),
            [WebhookCountItem.total.add(1)],
            WebhookCountItem.total.does_not_exist() | (WebhookCountItem.total < MAX_PER_OWNER),
            "count",
        )
        tx.on_fail("count", _too_many)
        tx.commit()

    def replace(self, old: Webhook, new: Webhook, secret_sealed: str) -> None:
        """Write `new` if the stored version is still `old`'s; keeps the index in step."""
        tx = Tx()
        tx.put(_item(new, secret_sealed), WebhookItem.version == old.version, "hook")
        tx.on_fail("hook", _stale)
        for name in set(old.events) - set(new.events):
            tx.delete(_index(old, name), None, f"drop:{name}")
        for name in set(new.events) - set(old.events):
            tx.put(_index(new, name), None, f"add:{name}")
        tx.commit()

    def delete(self, hook: Webhook) -> None:
        item = WebhookItem(webhook_pk(hook.webhook_id), META)
        item.update(actions=audit_stamp.delete_stamp_actions(), condition=WebhookItem.PK.exists())
        tx = Tx()
        tx.delete(item, WebhookItem.version == hook.version, "hook")
        tx.on_fail("hook", _stale)
        for name in hook.events:
            tx.delete(_index(hook, name), None, f"index:{name}")
        tx.update(
            WebhookCountItem(owner_pk(hook.owner_id), "COUNT"),
            [WebhookCountItem.total.add(-1)],
            None,
            "count",
        )
        tx.commit()

    def get_with_secret(self, webhook_id: str) -> tuple[Webhook, str] | None:
        bind()
        try:
            item = WebhookItem.get(webhook_pk(webhook_id), META, consistent_read=True)
        except DoesNotExist:
            return None
        return _to_domain(item), item.secret_sealed

    def get(self, webhook_id: str) -> Webhook | None:
        found = self.get_with_secret(webhook_id)
        return None if found is None else found[0]

    def page_of_owner(
        self, owner_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[Webhook], dict[str, Any] | None]:
        bind()
        results = WebhookItem.gsi1.query(
            owner_pk(owner_id), limit=limit, last_evaluated_key=start_key
        )
        hooks = [_to_domain(i) for i in results if isinstance(i, WebhookItem)]
        return hooks, results.last_evaluated_key

    def subscribed_to(self, event_names: Iterable[str]) -> list[Webhook]:
        """Every active subscription whose filter names one of `event_names`."""
        bind()
        ids: dict[str, None] = {}
        for name in event_names:
            for entry in WebhookEventIndexItem.query(event_index_pk(name)):
                ids[str(entry.SK)] = None
        hooks = [hook for hook in map(self.get, ids) if hook is not None and hook.active]
        return sorted(hooks, key=lambda h: h.webhook_id)

    # --- the admin allow-list ----------------------------------------------------------------

    def allow(
        self,
        entry_id: str,
        network: str,
        *,
        port: int | None,
        note: str,
        webhook_id: str | None,
        owner_id: str | None,
        actor: str,
        now: datetime,
    ) -> None:
        item = AllowItem(
            PK=ALLOW_PK,
            SK=entry_id,
            entry_id=entry_id,
            network=network,
            port=port,
            note=note or None,
            webhook_id=webhook_id,
            owner_id=owner_id,
            created_by=actor,
            created_at=iso_z(now),
        )
        audit_stamp.stamp(item).save(condition=AllowItem.PK.does_not_exist())

    def disallow(self, entry_id: str) -> None:
        item = AllowItem(ALLOW_PK, entry_id)
        try:
            audit_stamp.stamp_then_delete(item)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(
                    "no such allow-list entry", code="allowlist_entry_not_found"
                ) from exc
            raise

    def allowlist(self) -> list[dict[str, Any]]:
        bind()
        return [_allow_entry(i) for i in AllowItem.query(ALLOW_PK)]

    def allowlist_for(self, hook: Webhook) -> list[dict[str, Any]]:
        """The entries that name this webhook or its owner (a short admin-kept list)."""
        return [
            e
            for e in self.allowlist()
            if e["webhook_id"] == hook.webhook_id or e["owner_id"] == hook.owner_id
        ]


def _allow_entry(i: AllowItem) -> dict[str, Any]:
    return {
        "entry_id": i.entry_id,
        "network": i.network,
        "port": None if i.port is None else int(i.port),
        "note": i.note or "",
        "webhook_id": i.webhook_id,
        "owner_id": i.owner_id,
        "created_by": i.created_by,
        "created_at": i.created_at,
    }


def _too_many() -> RuleViolation:
    return RuleViolation(
        f"you may have at most {MAX_PER_OWNER} webhooks", code="webhook_limit_reached"
    )


def _stale() -> Conflict:
    return Conflict("the webhook changed meanwhile; reload and retry", code="webhook_changed")
