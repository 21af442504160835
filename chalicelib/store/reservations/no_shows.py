"""No-show counters: per user and resource (both ways round) and per series, incremented in the
same transaction that marks a reservation `no_show` (the writer adds these updates), so a count
can neither be lost nor doubled: the no-show transition itself is conditional on the
reservation's version.

    NOSHOW#USER#<user_id>         / RESOURCE#<resource_id>   no_shows, last_at
    NOSHOW#RESOURCE#<resource_id> / USER#<user_id>           no_shows, last_at
    NOSHOW#SERIES#<series_id>     / COUNT                    no_shows, last_at
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.reservations import Reservation
from chalicelib.domain.reservations.check_in import NoShowCount
from chalicelib.domain.timeutil import iso_z, parse_instant
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import key, table_name

ITEM_TYPE = "no_show_count"
_USER = "NOSHOW#USER#"
_RESOURCE = "NOSHOW#RESOURCE#"
_SERIES = "NOSHOW#SERIES#"


def _increment(pk: str, sk: str, at: datetime, table: str, extra: dict[str, str]) -> Item:
    names = {"#n": "no_shows", "#at": "last_at", "#type": "type"}
    values: dict[str, Any] = {
        ":one": {"N": "1"},
        ":at": {"S": iso_z(at)},
        ":type": {"S": ITEM_TYPE},
    }
    sets = ["#at = :at", "#type = :type"]
    for i, (name, value) in enumerate(sorted(extra.items())):
        names[f"#x{i}"] = name
        values[f":x{i}"] = {"S": value}
        sets.append(f"#x{i} = :x{i}")
    return {
        "Update": {
            "TableName": table,
            "Key": key(pk, sk),
            "UpdateExpression": f"ADD #n :one SET {', '.join(sets)}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def no_show_updates(reservation: Reservation, at: datetime, table: str) -> list[Item]:
    """The counter increments that go with marking `reservation` a no-show."""
    who = {"user_id": reservation.user_id, "resource_id": reservation.resource_id}
    updates = [
        _increment(
            f"{_USER}{reservation.user_id}", f"RESOURCE#{reservation.resource_id}", at, table, who
        ),
        _increment(
            f"{_RESOURCE}{reservation.resource_id}", f"USER#{reservation.user_id}", at, table, who
        ),
    ]
    if reservation.series_id:
        series = {"series_id": reservation.series_id}
        updates.append(_increment(f"{_SERIES}{reservation.series_id}", "COUNT", at, table, series))
    return updates


def _count(raw: dict[str, Any]) -> NoShowCount:
    last = raw.get("last_at", {}).get("S")
    return NoShowCount(
        user_id=raw["user_id"]["S"],
        resource_id=raw["resource_id"]["S"],
        no_shows=int(raw["no_shows"]["N"]),
        last_at=parse_instant(last) if last else None,
    )


class NoShowCounts:
    def for_user(self, user_id: str) -> list[NoShowCount]:
        return self._partition(f"{_USER}{user_id}")

    def for_resource(self, resource_id: str) -> list[NoShowCount]:
        return self._partition(f"{_RESOURCE}{resource_id}")

    def in_series(self, series_id: str) -> int:
        item = dynamo.get(table_name(), key(f"{_SERIES}{series_id}", "COUNT"))
        return int(item["no_shows"]["N"]) if item else 0

    @staticmethod
    def _partition(pk: str) -> list[NoShowCount]:
        """Every counter in one partition: one per resource (or user) the counts concern."""
        return [
            _count(raw)
            for raw in dynamo.query(
                TableName=table_name(),
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
            )
        ]
