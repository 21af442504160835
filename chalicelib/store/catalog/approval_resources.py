"""The resources that need approval (issue 10): what the approvers' queues and the approval
jobs fan out over. One query of the resource listing partition, filtered on the flag; a
catalogue has hundreds of resources, not millions, and few of them need approval."""

from __future__ import annotations

from chalicelib.domain.catalog.resources import Resource
from chalicelib.store import dynamo
from chalicelib.store.catalog.items import RESOURCES_PARTITION, from_raw
from chalicelib.store.reservations.items import table_name


def resources_needing_approval() -> list[Resource]:
    return [
        from_raw(raw)
        for raw in dynamo.query(
            TableName=table_name(),
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :p",
            FilterExpression="requires_approval = :t",
            ExpressionAttributeValues={":p": {"S": RESOURCES_PARTITION}, ":t": {"BOOL": True}},
        )
    ]
