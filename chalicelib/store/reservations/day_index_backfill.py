"""One-off backfill of the occupancy index (GSI2 keys of occupancy items, day_index.py).

Occupancy items written before the index existed lack its keys, and the free-window search
would not see them. This walks the table once (paged Scan, only occupancy items without the
keys) and sets the keys with a conditional update: idempotent, safe to run twice at once or
while bookings are made (an item deleted meanwhile fails its condition and is skipped).
Run once after deploying: `python -m chalicelib.store.reservations.day_index_backfill`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from chalicelib.store import dynamo
from chalicelib.store.reservations.day_index import index_keys
from chalicelib.store.reservations.items import resource_pk, table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_PREFIX = resource_pk("")


def backfill() -> int:
    """Set the index keys on every occupancy item that lacks them; how many were set."""
    table = table_name()
    client = dynamo.client()
    done = 0
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#t = :occ AND attribute_not_exists(GSI2PK)",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": {":occ": {"S": "occupancy"}},
    }
    while True:
        page = client.scan(**request)
        for raw in page.get("Items", []):
            done += _set_keys(client, table, raw)
        last = page.get("LastEvaluatedKey")
        if not last:
            return done
        request["ExclusiveStartKey"] = last


def _set_keys(client: DynamoDBClient, table: str, raw: dict[str, Any]) -> int:
    start = datetime.fromisoformat(raw["start_time"]["S"])
    end = datetime.fromisoformat(raw["end_time"]["S"])
    shape = Reservation(
        reservation_id=raw["reservation_id"]["S"],
        resource_id=raw["PK"]["S"].removeprefix(_PREFIX),
        user_id=raw["user_id"]["S"],
        window=TimeRange(start, end),
        status=ReservationStatus(raw["status"]["S"]),
        created_at=start,
    )
    pk, sk = index_keys(shape)
    try:
        client.update_item(
            TableName=table,
            Key={"PK": raw["PK"], "SK": raw["SK"]},
            UpdateExpression="SET GSI2PK = :pk, GSI2SK = :sk",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":sk": {"S": sk}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return 0  # cancelled meanwhile: nothing to index
    return 1


if __name__ == "__main__":
    print(f"occupancy items indexed: {backfill()}")
