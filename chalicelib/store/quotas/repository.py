"""Reads and admin writes of quota rules and overrides, and reads of usage counters.

Counters are never written here: only the booking writer's transactions change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from chalicelib.domain.errors import NotFound
from chalicelib.domain.quotas.rules import QuotaOverride, QuotaRule
from chalicelib.store import dynamo
from chalicelib.store.catalog.reference_cache import TtlSlot
from chalicelib.store.dynamo import key
from chalicelib.store.quotas.items import (
    OVERRIDE_PREFIX,
    OVERRIDES_INDEX,
    RULE_PREFIX,
    RULES_PK,
    USAGE_PREFIX,
    counter_index,
    override_from_raw,
    override_item,
    rule_from_raw,
    rule_item,
    user_pk,
)
from chalicelib.store.reservations.items import table_name

# The rule list is reference data read by every booking: cached per process like the default
# hours (store/catalog/reference_cache.py: at most TTL_S stale in OTHER processes; a change
# made here is seen at once). The counters' conditions never depend on it being fresh.
_rules: TtlSlot[tuple[QuotaRule, ...]] = TtlSlot()


def forget_rules() -> None:
    _rules.forget()


@dataclass(frozen=True)
class UserQuotaState:
    overrides: list[QuotaOverride] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)


class QuotaStore:
    # --- rules ------------------------------------------------------------------------------

    def rules(self) -> list[QuotaRule]:
        return list(_rules.get(self._read_rules))

    @staticmethod
    def _read_rules() -> tuple[QuotaRule, ...]:
        items = dynamo.query(
            TableName=table_name(),
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": {"S": RULES_PK}, ":p": {"S": RULE_PREFIX}},
        )
        return tuple(rule_from_raw(raw) for raw in items)

    def rule(self, rule_id: str) -> QuotaRule:
        raw = dynamo.get(table_name(), key(RULES_PK, f"{RULE_PREFIX}{rule_id}"))
        if raw is None:
            raise NotFound("no such quota rule", code="quota_rule_not_found")
        return rule_from_raw(raw)

    def put_rule(self, rule: QuotaRule, at: datetime) -> None:
        dynamo.client().put_item(TableName=table_name(), Item=rule_item(rule, at))
        forget_rules()

    def delete_rule(self, rule_id: str) -> None:
        self._delete(key(RULES_PK, f"{RULE_PREFIX}{rule_id}"), "quota_rule_not_found")
        forget_rules()

    # --- a user's overrides and usage ---------------------------------------------------------

    def user_state(self, user_id: str) -> UserQuotaState:
        """Overrides and usage counters of one user: one consistent Query."""
        state = UserQuotaState()
        for raw in dynamo.query(
            TableName=table_name(),
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": user_pk(user_id)}},
        ):
            sk = raw["SK"]["S"]
            if sk.startswith(OVERRIDE_PREFIX):
                state.overrides.append(override_from_raw(raw))
            elif sk.startswith(USAGE_PREFIX):
                state.usage[sk[len(USAGE_PREFIX) :]] = int(float(raw.get("used", {}).get("N", 0)))
        return state

    def put_override(self, override: QuotaOverride, by: str, at: datetime) -> None:
        item = override_item(override, by, at)
        dynamo.client().put_item(TableName=table_name(), Item=item)

    def delete_override(self, user_id: str, rule_id: str) -> None:
        self._delete(
            key(user_pk(user_id), f"{OVERRIDE_PREFIX}{rule_id}"), "quota_override_not_found"
        )

    def overrides(self) -> list[QuotaOverride]:
        items = dynamo.query(
            TableName=table_name(),
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": OVERRIDES_INDEX}},
        )
        return [override_from_raw(raw) for raw in items]

    def counter_usage(self, counter: str) -> dict[str, int]:
        """Every user's usage of one counter (a rule's period), by user id."""
        items = dynamo.query(
            TableName=table_name(),
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": counter_index(counter)}},
        )
        return {raw["user_id"]["S"]: int(float(raw["used"]["N"])) for raw in items}

    @staticmethod
    def _delete(item_key: dynamo.Key, code: str) -> None:
        try:
            dynamo.client().delete_item(
                TableName=table_name(),
                Key=item_key,
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise NotFound("nothing to delete", code=code) from exc
            raise
