"""What the quota services need of the store (store/quotas/repository.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.quotas.rules import QuotaOverride, QuotaRule
from chalicelib.store.quotas.repository import UserQuotaState


class QuotaReads(Protocol):
    def rules(self) -> list[QuotaRule]: ...

    def user_state(self, user_id: str) -> UserQuotaState: ...


class QuotaAdminStore(QuotaReads, Protocol):
    def rule(self, rule_id: str) -> QuotaRule: ...

    def put_rule(self, rule: QuotaRule, at: datetime) -> None: ...

    def delete_rule(self, rule_id: str) -> None: ...

    def put_override(self, override: QuotaOverride, by: str, at: datetime) -> None: ...

    def delete_override(self, user_id: str, rule_id: str) -> None: ...

    def overrides(self) -> list[QuotaOverride]: ...

    def counter_usage(self, counter: str) -> dict[str, int]: ...
