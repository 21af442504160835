"""Audit log: query and response models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import PageQuery, Strict, UtcDatetime
from chalicelib.domain.pipeline.audit import AuditEntry, AuditFilter

_NAME = r"^[A-Za-z0-9_.:@#-]{1,128}$"


class AuditWindow(Strict):
    action: str | None = Field(default=None, pattern=_NAME)
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None


class AuditFilters(AuditWindow):
    entity_type: str | None = Field(default=None, pattern=_NAME)
    entity_id: str | None = Field(default=None, pattern=_NAME)
    actor_id: str | None = Field(default=None, pattern=_NAME)

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            actor_id=self.actor_id,
            action=self.action,
            since=self.since,
            until=self.until,
        )


class AuditQuery(AuditFilters, PageQuery):
    """Filters combine with AND; newest entries first."""


class AuditWindowQuery(AuditWindow, PageQuery):
    def to_filter(self, **fixed: str) -> AuditFilter:
        return AuditFilter(action=self.action, since=self.since, until=self.until, **fixed)


class AuditEntryOut(BaseModel):
    entry_id: str
    at: UtcDatetime
    actor_id: str
    channel: str = Field(description="web | cli | api | system, or - when unknown")
    client_ip: str
    correlation_id: str
    entity_type: str
    entity_id: str
    action: str
    changes: dict[str, Any] = Field(description="field -> {before, after}; secrets redacted")

    @classmethod
    def from_domain(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            entry_id=entry.entry_id,
            at=entry.at,
            actor_id=entry.actor_id,
            channel=entry.channel,
            client_ip=entry.client_ip,
            correlation_id=entry.correlation_id,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            action=entry.action,
            changes=entry.changes,
        )


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = None
