"""Rate-limit counters: one item per (bucket, window), counted by ONE UpdateItem.

`ADD hits :one` returns the new count (ReturnValues=UPDATED_NEW), so concurrent requests
each get their own number without a read or a retry: the count is atomic, the decision is
made on the value returned (a condition could not express "refuse but still count").
The item lives in its own table (topology RATE_LIMIT_TABLE, no stream: a counter written
on every request must not feed the event pipeline). `expires_at` lets TTL delete it after
its window; it is never read again after the window anyway (the next window is another key).
"""

from __future__ import annotations

from chalicelib.domain.ratelimits.windows import Window
from chalicelib.store.table import raw_client

# Kept a little past the window end: TTL is lazy and the item is never read after it anyway.
_TTL_SLACK_SECONDS = 60


def counter_pk(bucket: str, window: Window) -> str:
    return f"RATE#{bucket}#{window.start}"


class RateCounterStore:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def hit(self, bucket: str, window: Window) -> int:
        """Count one request in the bucket's window; the count including it."""
        answer = raw_client().update_item(
            TableName=self._table,
            Key={"PK": {"S": counter_pk(bucket, window)}},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":ttl": {"N": str(window.end + _TTL_SLACK_SECONDS)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["hits"]["N"])
