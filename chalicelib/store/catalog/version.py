"""The catalogue version item: bumped after every write the catalogue copies hold (resource
items, composite links, own-blackout markers), read by every search that uses a copy
(store/catalog/snapshot.py, issue 16).

Key: CATALOG / VERSION (`v`: writes counted, `at`: wall time of the newest, epoch seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.observability import logger
from chalicelib.store import dynamo
from chalicelib.store.reservations.items import table_name

VERSION_KEY = {"PK": {"S": "CATALOG"}, "SK": {"S": "VERSION"}}


def bump_version(wall: Callable[[], float] = time.time) -> None:
    """After a committed write of what the copies hold: other processes' copies are stale."""
    dynamo.client().update_item(
        TableName=table_name(),
        Key=VERSION_KEY,  # type: ignore[arg-type]
        UpdateExpression="ADD v :one SET #at = :at, #type = :type",
        ExpressionAttributeNames={"#at": "at", "#type": "type"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":at": {"N": f"{wall():.3f}"},
            ":type": {"S": "catalog_version"},
        },
    )


def bump_after_write() -> None:
    """`bump_version` after a committed write: a refusal is logged, not raised (the write is
    done; reporting it failed would be wrong). Copies then catch up at their age limit."""
    try:
        bump_version()
    except ClientError:
        logger.warning("catalogue version not bumped", exc_info=True)


@dataclass(frozen=True)
class Version:
    count: int
    at: float


def read_version() -> Version:
    item = dynamo.get(table_name(), VERSION_KEY) or {}
    return Version(int(item.get("v", {}).get("N", "0")), float(item.get("at", {}).get("N", "0")))
