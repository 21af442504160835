"""Create the resources of `chalicelib.topology` on any AWS-compatible endpoint.

Used by the local stack (DynamoDB Local + moto server) and by the test suites (moto in
process). The CDK stack reads the same definitions, so local and cloud cannot drift.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.topology import TOPOLOGY, TableDef, Topology


@dataclass
class Provisioned:
    table_names: dict[str, str] = field(default_factory=dict)
    stream_arn: str = ""
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    bus_name: str = ""


def table_request(table: TableDef, name: str) -> dict[str, Any]:
    attrs = {table.partition_key}
    key_schema = [{"AttributeName": table.partition_key, "KeyType": "HASH"}]
    if table.sort_key:
        attrs.add(table.sort_key)
        key_schema.append({"AttributeName": table.sort_key, "KeyType": "RANGE"})
    indexes = []
    for index in table.indexes:
        attrs.update({index.partition_key, index.sort_key})
        indexes.append(
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": key_schema,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    return request


def create_tables(
    dynamodb: Any, names: dict[str, str] | None = None, topology: Topology = TOPOLOGY
) -> Provisioned:
    """Create every table (skipping ones that exist); `names` overrides default names."""
    result = Provisioned()
    existing = set(dynamodb.list_tables().get("TableNames", []))
    for table in topology.tables:
        name = (names or {}).get(table.logical_name, table.default_name)
        result.table_names[table.logical_name] = name
        if name not in existing:
            dynamodb.create_table(**table_request(table, name))
            dynamodb.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50}
            )
        if table.ttl_attribute:
            with contextlib.suppress(dynamodb.exceptions.ClientError):  # already enabled
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={
                        "Enabled": True,
                        "AttributeName": table.ttl_attribute,
                    },
                )
        if table.stream:
            described = dynamodb.describe_table(TableName=name)["Table"]
            result.stream_arn = described.get("LatestStreamArn", "")
    return result


def create_messaging(
    sqs: Any, events: Any, ses: Any | None = None, topology: Topology = TOPOLOGY
) -> Provisioned:
    """Queues with DLQs, the bus, one rule per RuleDef targeting its queue, SES identities."""
    result = Provisioned(bus_name=topology.bus_name)
    for queue in topology.queues:
        dlq_url = sqs.create_queue(QueueName=queue.dlq_name)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        url = sqs.create_queue(
            QueueName=queue.name,
            Attributes={
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}
                ),
            },
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        result.queue_urls[queue.name] = url
        result.queue_arns[queue.name] = arn
        result.queue_urls[queue.dlq_name] = dlq_url
        result.queue_arns[queue.dlq_name] = dlq_arn
    buses = {b["Name"] for b in events.list_event_buses().get("EventBuses", [])}
    if topology.bus_name not in buses:
        events.create_event_bus(Name=topology.bus_name)
    for rule in topology.rules:
        pattern: dict[str, Any] = {"source": [topology.event_source]}
        if rule.event_names:
            pattern["detail-type"] = list(rule.event_names)
        events.put_rule(
            Name=rule.name, EventBusName=topology.bus_name, EventPattern=json.dumps(pattern)
        )
        events.put_targets(
            Rule=rule.name,
            EventBusName=topology.bus_name,
            Targets=[{"Id": rule.queue, "Arn": result.queue_arns[rule.queue]}],
        )
    if ses is not None:
        for identity in topology.ses_identities:
            ses.verify_email_identity(EmailAddress=identity)
    return result
