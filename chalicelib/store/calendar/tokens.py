"""Feed token items: who owns a feed token, and each resource's feed setting.

Items (single table, docs/data-model.md "Calendar feeds"):

- `CALFEED#USER#<user id>` / `META`: the user's nonce and token hash;
- `CALFEED#TOKEN#<sha256 of the token>` / `META`: the lookup from a feed URL to its user;
- `CALFEED#RESOURCE#<resource id>` / `META`: the resource's feed mode (public, token, off),
  with its nonce and token hash when tokenized;
- `CALFEED#GROUP#<group id>` / `META`: the same for a resource group's (location's) feed.

Replacing a user's token is one transaction: the owner item conditioned on the hash it had
(so two racing regenerations cannot both win and leave two live URLs), the old lookup deleted,
the new one put. No token is ever stored, only what derives it with the app secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.store import dynamo
from chalicelib.store.dynamo import TransactionCancelled
from chalicelib.store.reservations.items import key, table_name

META = "META"
USER_TYPE = "calendar_feed_user"
LOOKUP_TYPE = "calendar_feed_token"
RESOURCE_TYPE = "calendar_feed_resource"
GROUP_TYPE = "calendar_feed_group"


def user_feed_pk(user_id: str) -> str:
    return f"CALFEED#USER#{user_id}"


def lookup_pk(token_hash: str) -> str:
    return f"CALFEED#TOKEN#{token_hash}"


def resource_feed_pk(resource_id: str) -> str:
    return f"CALFEED#RESOURCE#{resource_id}"


def group_feed_pk(group_id: str) -> str:
    return f"CALFEED#GROUP#{group_id}"


@dataclass(frozen=True)
class StoredToken:
    nonce: str
    token_hash: str


@dataclass(frozen=True)
class ResourceFeedSetting:
    mode: str  # public | token | off
    token: StoredToken | None = None


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _raced() -> Conflict:
    return Conflict("the feed token changed meanwhile; retry", code="write_conflict")


class FeedTokenStore:
    def user_token(self, user_id: str) -> StoredToken | None:
        raw = dynamo.get(table_name(), key(user_feed_pk(user_id), META))
        return None if raw is None else StoredToken(raw["nonce"]["S"], raw["token_hash"]["S"])

    def owner_of(self, token_hash: str) -> str | None:
        raw = dynamo.get(table_name(), key(lookup_pk(token_hash), META))
        return None if raw is None else str(raw["user_id"]["S"])

    def replace_user_token(
        self, user_id: str, old: StoredToken | None, new: StoredToken, at: str
    ) -> None:
        """Swap `old` for `new` if the user still has `old`: 409 `write_conflict` otherwise."""
        table = table_name()
        owner: dict[str, Any] = {
            "TableName": table,
            "Item": {
                **key(user_feed_pk(user_id), META),
                "type": _s(USER_TYPE),
                "user_id": _s(user_id),
                "nonce": _s(new.nonce),
                "token_hash": _s(new.token_hash),
                "updated_at": _s(at),
            },
        }
        if old is None:
            owner["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            owner["ConditionExpression"] = "token_hash = :old"
            owner["ExpressionAttributeValues"] = {":old": _s(old.token_hash)}
        items: list[dynamo.Item] = [
            {"Put": owner},
            {
                "Put": {
                    "TableName": table,
                    "Item": {
                        **key(lookup_pk(new.token_hash), META),
                        "type": _s(LOOKUP_TYPE),
                        "user_id": _s(user_id),
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        if old is not None:
            items.append(
                {"Delete": {"TableName": table, "Key": key(lookup_pk(old.token_hash), META)}}
            )
        try:
            dynamo.transact(items)
        except TransactionCancelled as exc:
            raise _raced() from exc

    def resource_setting(self, resource_id: str) -> ResourceFeedSetting:
        return _setting(resource_feed_pk(resource_id))

    def save_resource_setting(
        self, resource_id: str, setting: ResourceFeedSetting, at: str
    ) -> None:
        _save(resource_feed_pk(resource_id), {"resource_id": _s(resource_id)}, setting, at)

    def group_setting(self, group_id: str) -> ResourceFeedSetting:
        return _setting(group_feed_pk(group_id))

    def save_group_setting(self, group_id: str, setting: ResourceFeedSetting, at: str) -> None:
        _save(
            group_feed_pk(group_id), {"group_id": _s(group_id), "type": _s(GROUP_TYPE)}, setting, at
        )


def _setting(pk: str) -> ResourceFeedSetting:
    raw = dynamo.get(table_name(), key(pk, META))
    if raw is None:
        return ResourceFeedSetting("off")
    token = None
    if "nonce" in raw:
        token = StoredToken(raw["nonce"]["S"], raw["token_hash"]["S"])
    return ResourceFeedSetting(str(raw["mode"]["S"]), token)


def _save(pk: str, owner: dict[str, Any], setting: ResourceFeedSetting, at: str) -> None:
    item: dict[str, Any] = {
        **key(pk, META),
        "type": _s(RESOURCE_TYPE),
        **owner,
        "mode": _s(setting.mode),
        "updated_at": _s(at),
    }
    if setting.token is not None:
        item["nonce"] = _s(setting.token.nonce)
        item["token_hash"] = _s(setting.token.token_hash)
    dynamo.client().put_item(TableName=table_name(), Item=item)
