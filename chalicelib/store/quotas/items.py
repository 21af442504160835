"""Quota items (single table, docs/data-model.md "Quotas"):

- rule:     `QUOTA#RULES` / `RULE#<rule id>` (one partition: the booking path reads all rules
  with one Query);
- override: `QUOTA#USER#<user id>` / `OVR#<rule id>`;
- usage:    `QUOTA#USER#<user id>` / `USE#<rule id>#<period key>`, attribute `used`.

A user's overrides and usage share a partition, so the booking path reads both with one Query.
Usage counters change ONLY inside the booking writer's transactions (`counter_updates`), with
the condition `used + this <= limit`: two racing bookings cannot both pass a full counter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from chalicelib.domain.quotas.rules import QuotaOverride, QuotaRule
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.dynamo import Item, key

RULES_PK = "QUOTA#RULES"
RULE_PREFIX = "RULE#"
OVERRIDE_PREFIX = "OVR#"
USAGE_PREFIX = "USE#"
OVERRIDES_INDEX = "QUOTA#OVERRIDES"
COUNTER_TTL_DAYS = 400  # a year of history for the admin's usage views, then gone


def user_pk(user_id: str) -> str:
    return f"QUOTA#USER#{user_id}"


def counter_index(counter: str) -> str:
    return f"QUOTA#USAGE#{counter}"


def usage_key(user_id: str, counter: str) -> dict[str, dict[str, str]]:
    return key(user_pk(user_id), f"{USAGE_PREFIX}{counter}")


def counter_updates(
    table: str, user_id: str, deltas: Mapping[str, int], limits: Mapping[str, int]
) -> list[Item]:
    """One Update per counter with a non-zero net change; a positive one is conditioned on
    staying within its limit (a counter without a limit here only gives back)."""
    items: list[Item] = []
    for counter, delta in sorted(deltas.items()):
        if delta == 0:
            continue
        update: dict[str, Any] = {
            "TableName": table,
            "Key": usage_key(user_id, counter),
            # GSI2 lists every user's usage of one counter (the admin's near-limit view).
            "UpdateExpression": "ADD #u :d SET #t = :type, #uid = :uid, #g = :g, #gs = :uid",
            "ExpressionAttributeNames": {
                "#u": "used",
                "#t": "type",
                "#uid": "user_id",
                "#g": "GSI2PK",
                "#gs": "GSI2SK",
            },
            "ExpressionAttributeValues": {
                ":d": {"N": str(delta)},
                ":type": {"S": "quota_usage"},
                ":uid": {"S": user_id},
                ":g": {"S": counter_index(counter)},
            },
        }
        limit = limits.get(counter)
        if delta > 0 and limit is not None:
            room = limit - delta
            update["ExpressionAttributeValues"][":room"] = {"N": str(room)}
            # A demand above the whole limit can never pass (the evaluation refuses it first).
            update["ConditionExpression"] = (
                "attribute_exists(#u) AND #u <= :room"
                if room < 0
                else "attribute_not_exists(#u) OR #u <= :room"
            )
        items.append({"Update": update})
    return items


# --- rules and overrides ------------------------------------------------------------------


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def rule_item(rule: QuotaRule, at: datetime) -> Item:
    body = {
        "rule_id": rule.rule_id,
        "name": rule.name,
        "metric": rule.metric,
        "limit": rule.limit,
        "period": rule.period,
        "scope": rule.scope,
        "scope_value": rule.scope_value,
        "peak": [_hhmm(rule.peak[0]), _hhmm(rule.peak[1])] if rule.peak else None,
        "exempt_roles": sorted(rule.exempt_roles),
        "enabled": rule.enabled,
    }
    return {
        "PK": {"S": RULES_PK},
        "SK": {"S": f"{RULE_PREFIX}{rule.rule_id}"},
        "type": {"S": "quota_rule"},
        "rule": {"S": json.dumps(body, sort_keys=True)},
        "updated_at": {"S": iso_z(at)},
    }


def rule_from_raw(raw: Item) -> QuotaRule:
    body = json.loads(raw["rule"]["S"])
    peak = body.get("peak")
    return QuotaRule(
        rule_id=body["rule_id"],
        name=body["name"],
        metric=body["metric"],
        limit=int(body["limit"]),
        period=body.get("period"),
        scope=body.get("scope", "global"),
        scope_value=body.get("scope_value"),
        peak=(time.fromisoformat(peak[0]), time.fromisoformat(peak[1])) if peak else None,
        exempt_roles=frozenset(body.get("exempt_roles", ())),
        enabled=bool(body.get("enabled", True)),
    )


def override_item(override: QuotaOverride, by: str, at: datetime) -> Item:
    item: Item = {
        "PK": {"S": user_pk(override.user_id)},
        "SK": {"S": f"{OVERRIDE_PREFIX}{override.rule_id}"},
        "type": {"S": "quota_override"},
        "user_id": {"S": override.user_id},
        "rule_id": {"S": override.rule_id},
        "limit": {"N": str(override.limit)},
        "reason": {"S": override.reason},
        "created_by": {"S": by},
        "created_at": {"S": iso_z(at)},
        # Every override, listed by the admin view (GSI2 holds all attributes).
        "GSI2PK": {"S": OVERRIDES_INDEX},
        "GSI2SK": {"S": f"{override.user_id}#{override.rule_id}"},
    }
    if override.expires_at is not None:
        item["valid_until"] = {"S": iso_z(override.expires_at)}
        # Gone a day after it lapsed (TTL deletes lazily; `active` decides meanwhile).
        item["expires_at"] = {"N": str(epoch_seconds(override.expires_at) + 86400)}
    return item


def override_from_raw(raw: Item) -> QuotaOverride:
    until = raw.get("valid_until")
    return QuotaOverride(
        user_id=raw["user_id"]["S"],
        rule_id=raw["rule_id"]["S"],
        limit=int(raw["limit"]["N"]),
        expires_at=datetime.fromisoformat(until["S"]) if until else None,
        reason=raw.get("reason", {}).get("S", ""),
    )
