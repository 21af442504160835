"""Once-only email sends (issue 16): one claim item per (event, recipient).

Both lanes claim: the bulk worker up to ~50 mails per envelope, the email worker the mails of
one event. The claims are taken in one transaction and confirmed in one batch write, only for
mails to send, with the semantics of Powertools' idempotency record (which cost two writes for
every event, even one that mailed nobody):
- a key never claimed is claimed (`sending`, with a lease) and its mail sent;
- a key already `sent` is skipped (a redelivered envelope sends nothing twice);
- a key whose claim is still `sending` inside its lease is busy (another invocation may be
  sending it right now): the caller fails the envelope, which comes back after the lease;
- a claim whose lease ran out (its sender crashed between claim and send) is taken over.
A send that raises releases its claim and the unsent ones, so the retry sends them.

Key: EMAILCLAIM#<event id>#<user id> / CLAIM, living `KEEP` (redeliveries and DLQ redrives).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from botocore.exceptions import ClientError

from chalicelib.domain.pipeline.sends import ClaimedSends
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import table_name

KEEP = timedelta(days=3)
SK = "CLAIM"
SENDING, SENT = "sending", "sent"
_CONDITION = "attribute_not_exists(PK) OR (#state = :sending AND #lease < :now)"


def claim_pk(key: str) -> str:
    return f"EMAILCLAIM#{key}"


class EmailClaimStore:
    def claim(self, keys: Sequence[str], *, now: datetime, lease: timedelta) -> ClaimedSends:
        claims = ClaimedSends()
        unique = list(dict.fromkeys(keys))
        for first in range(0, len(unique), dynamo.MAX_TRANSACTION_ITEMS):
            chunk = unique[first : first + dynamo.MAX_TRANSACTION_ITEMS]
            try:
                dynamo.transact([_put(k, now, lease) for k in chunk])
                claims.mine.extend(chunk)
                continue
            except dynamo.TransactionCancelled:  # some were claimed before: one by one
                pass
            lost = [k for k in chunk if not _claim_one(k, now, lease, claims)]
            if lost:
                _sort_lost(lost, claims)
        return claims

    def confirm(self, keys: Sequence[str], *, now: datetime) -> None:
        dynamo.batch_write(
            table_name(), [{"PutRequest": {"Item": _item(k, SENT, now, now)}} for k in keys]
        )

    def release(self, keys: Sequence[str]) -> None:
        dynamo.batch_write(
            table_name(),
            [{"DeleteRequest": {"Key": dynamo.key(claim_pk(k), SK)}} for k in keys],
        )


def _item(key: str, state: str, now: datetime, lease_until: datetime) -> dict[str, Any]:
    return {
        "PK": {"S": claim_pk(key)},
        "SK": {"S": SK},
        "type": {"S": "email_claim"},
        "state": {"S": state},
        "lease_until": {"N": str(epoch_seconds(lease_until))},
        "expires_at": {"N": str(epoch_seconds(now + KEEP))},
    }


def _condition_values(now: datetime) -> dict[str, Any]:
    return {
        "ConditionExpression": _CONDITION,
        "ExpressionAttributeNames": {"#state": "state", "#lease": "lease_until"},
        "ExpressionAttributeValues": {
            ":sending": {"S": SENDING},
            ":now": {"N": str(epoch_seconds(now))},
        },
    }


def _put(key: str, now: datetime, lease: timedelta) -> Item:
    return {
        "Put": {
            "TableName": table_name(),
            "Item": _item(key, SENDING, now, now + lease),
            **_condition_values(now),
        }
    }


def _claim_one(key: str, now: datetime, lease: timedelta, claims: ClaimedSends) -> bool:
    try:
        dynamo.client().put_item(
            TableName=table_name(),
            Item=cast(Any, _item(key, SENDING, now, now + lease)),
            **cast(Any, _condition_values(now)),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    claims.mine.append(key)
    return True


def _sort_lost(keys: list[str], claims: ClaimedSends) -> None:
    found = dynamo.batch_get(table_name(), [dynamo.key(claim_pk(k), SK) for k in keys])
    for key in keys:
        item = found.get((claim_pk(key), SK))
        state = str(item.get("state", {}).get("S", "")) if item else ""
        # Gone between the two reads (released by a failed sender): busy, so it is retried.
        (claims.done if state == SENT else claims.busy).append(key)
