"""DynamoDB tables from `chalicelib.topology`: keys, indexes, TTL and stream as defined there.

Point-in-time recovery everywhere; deletion protection and RETAIN only in prod, so a dev
stack can be torn down completely.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from chalicelib.topology import TOPOLOGY, TableDef
from infra.cdk.stages import StageConfig


def _key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def logical_id(table: TableDef) -> str:
    return f"{table.logical_name.title()}Table"


def build_table(scope: Construct, table: TableDef, config: StageConfig) -> dynamodb.Table:
    built = dynamodb.Table(
        scope,
        logical_id(table),
        table_name=config.name(table.default_name),
        partition_key=_key(table.partition_key),
        sort_key=_key(table.sort_key) if table.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        time_to_live_attribute=table.ttl_attribute,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if table.stream else None,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=config.prod,
        removal_policy=RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY,
    )
    for index in table.indexes:
        built.add_global_secondary_index(
            index_name=index.name,
            partition_key=_key(index.partition_key),
            sort_key=_key(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return built


def build_tables(scope: Construct, config: StageConfig) -> dict[str, dynamodb.Table]:
    return {t.logical_name: build_table(scope, t, config) for t in TOPOLOGY.tables}
