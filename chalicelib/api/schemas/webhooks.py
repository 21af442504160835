"""Webhooks: request and response models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.pipeline.webhooks import Attempt, Delivery, Webhook
from chalicelib.services.pipeline.webhooks import AllowDraft, WebhookChanges, WebhookDraft


class WebhookCreate(Strict):
    url: str = Field(max_length=2048, description="https:// (or http://) endpoint to POST to.")
    events: list[str] = Field(min_length=1, max_length=50, description="Event names, or ['*'].")
    description: str = Field(default="", max_length=500)
    active: bool = True

    def to_draft(self) -> WebhookDraft:
        return WebhookDraft(self.url, self.events, self.description, self.active)


class WebhookUpdate(Strict):
    url: str | None = Field(default=None, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = None

    def to_changes(self) -> WebhookChanges:
        return WebhookChanges(self.url, self.events, self.description, self.active)


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    events: list[str]
    active: bool
    description: str
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @classmethod
    def from_domain(cls, hook: Webhook) -> WebhookOut:
        return cls(
            webhook_id=hook.webhook_id,
            url=hook.url,
            events=list(hook.events),
            active=hook.active,
            description=hook.description,
            created_at=hook.created_at,
            updated_at=hook.updated_at,
        )


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="Shown only now (create, rotate): store it safely.")

    @classmethod
    def with_secret(cls, hook: Webhook, secret: str) -> WebhookWithSecret:
        return cls(**WebhookOut.from_domain(hook).model_dump(), secret=secret)


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None = None


class EventTypeOut(BaseModel):
    name: str
    description: str
    reserved: bool


class AttemptOut(BaseModel):
    number: int
    at: UtcDatetime
    status_code: int | None
    latency_ms: int
    ok: bool
    error: str
    response_excerpt: str

    @classmethod
    def from_domain(cls, a: Attempt) -> AttemptOut:
        return cls(
            number=a.number,
            at=a.at,
            status_code=a.status_code,
            latency_ms=a.latency_ms,
            ok=a.ok,
            error=a.error,
            response_excerpt=a.response_excerpt,
        )


class DeliveryOut(BaseModel):
    delivery_id: str
    webhook_id: str
    event_name: str
    event_id: str
    status: str
    created_at: UtcDatetime
    attempts: list[AttemptOut]
    next_attempt_at: UtcDatetime | None = None
    redelivery_of: str | None = None

    @classmethod
    def from_domain(cls, d: Delivery) -> DeliveryOut:
        return cls(
            delivery_id=d.delivery_id,
            webhook_id=d.webhook_id,
            event_name=d.event_name,
            event_id=d.event_id,
            status=d.status.value,
            created_at=d.created_at,
            attempts=[AttemptOut.from_domain(a) for a in d.attempts],
            next_attempt_at=d.next_attempt_at,
            redelivery_of=d.redelivery_of,
        )


class DeliveryDetail(DeliveryOut):
    payload: str = Field(description="The exact body that was (or will be) signed and sent.")

    @classmethod
    def detail(cls, d: Delivery) -> DeliveryDetail:
        return cls(**DeliveryOut.from_domain(d).model_dump(), payload=d.payload)


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None = None


class AllowEntryIn(Strict):
    network: str = Field(max_length=64, description="IP or CIDR, e.g. 127.0.0.1/32.")
    port: int | None = Field(default=None, ge=1, le=65535, description="Only this port.")
    note: str = Field(default="", max_length=200)
    webhook_id: str | None = Field(
        default=None, max_length=64, description="The one webhook this entry opens the network to."
    )
    owner_id: str | None = Field(
        default=None, max_length=64, description="Or: the user whose webhooks it opens it to."
    )

    def to_draft(self) -> AllowDraft:
        return AllowDraft(self.network, self.port, self.note, self.webhook_id, self.owner_id)


class AllowEntryOut(BaseModel):
    entry_id: str
    network: str
    port: int | None
    note: str
    webhook_id: str | None = None
    owner_id: str | None = None
    created_by: str
    created_at: UtcDatetime
