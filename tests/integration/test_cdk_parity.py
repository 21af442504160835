"""The deployed tables are the tables the app and the local stack use: same keys, same
indexes, same TTL attribute, same stream, in the CDK template (both stages), in the store's
PynamoDB model and in the local bootstrap's create_table requests."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.store.table import TableItem
from chalicelib.topology import TOPOLOGY
from infra.cdk.data import logical_id
from infra.provision import table_request
from tests.integration.cdk_kit import STAGES, props, resources, synthesised


def key_schema(schema: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k["KeyType"], k["AttributeName"]) for k in schema))


def shape(table: dict[str, Any]) -> dict[str, Any]:
    """Keys and indexes of a CreateTable request or an AWS::DynamoDB::Table's properties."""
    gsis = table.get("GlobalSecondaryIndexes", [])
    return {
        "keys": key_schema(table["KeySchema"]),
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
        ),
        "indexes": {
            g["IndexName"]: (key_schema(g["KeySchema"]), g["Projection"]["ProjectionType"])
            for g in gsis
        },
    }


@pytest.mark.parametrize("stage", STAGES)
def test_given_the_template_then_every_table_matches_the_local_bootstrap(stage: str) -> None:
    template = synthesised().template(stage)
    assert len(resources(template, "AWS::DynamoDB::Table")) == len(TOPOLOGY.tables)
    for table in TOPOLOGY.tables:
        deployed = props(template, _table_id(template, table.logical_name))
        assert shape(deployed) == shape(table_request(table, "any")), table.logical_name
        assert deployed["TableName"] == f"{table.default_name}-{stage}"
        ttl = deployed.get("TimeToLiveSpecification", {})
        assert ttl.get("AttributeName") == table.ttl_attribute
        assert ttl.get("Enabled", False) == bool(table.ttl_attribute)
        stream = deployed.get("StreamSpecification", {}).get("StreamViewType")
        assert stream == ("NEW_AND_OLD_IMAGES" if table.stream else None)


def test_given_the_store_model_then_the_main_table_keys_and_indexes_match_it() -> None:
    model = TableItem._get_schema()
    from_model = {
        "keys": key_schema(model["key_schema"]),
        "indexes": {
            i["index_name"]: (key_schema(i["key_schema"]), i["projection"]["ProjectionType"])
            for i in model["global_secondary_indexes"]
        },
    }
    deployed = shape(
        props(synthesised().template("dev"), _table_id(synthesised().template("dev"), "main"))
    )
    assert {k: deployed[k] for k in from_model} == from_model
    assert TOPOLOGY.table("main").ttl_attribute in TableItem.get_attributes()


def _table_id(template: dict[str, Any], logical_name: str) -> str:
    prefix = logical_id(TOPOLOGY.table(logical_name))
    [found] = [k for k in resources(template, "AWS::DynamoDB::Table") if k.startswith(prefix)]
    return found
