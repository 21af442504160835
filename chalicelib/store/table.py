"""The single table: a base model whose Meta is bound from settings on first use.

Entities subclass `TableItem` with a `type` discriminator (PynamoDB polymorphism). Every
entity module in this package owns the key builders for its items.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.settings import Settings, get_settings
from chalicelib.store import fast_parse


class GSI1(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class TableItem(Model):
    class Meta:
        table_name = "reserver-main"  # rebound from settings by `bind()`
        region = "us-east-1"
        max_retry_attempts = 3
        connect_timeout_seconds = 5
        read_timeout_seconds = 10

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    type = DiscriminatorAttribute()
    # Epoch seconds; DynamoDB TTL deletes lazily (and never locally), so readers also filter.
    expires_at = NumberAttribute(null=True)
    # Who wrote the item last (set by store.audit_stamp); the audit log reads them off the stream.
    audit_actor = UnicodeAttribute(null=True)
    audit_channel = UnicodeAttribute(null=True)
    audit_ip = UnicodeAttribute(null=True)
    audit_correlation_id = UnicodeAttribute(null=True)
    audit_write_id = UnicodeAttribute(null=True)
    audit_delete_id = UnicodeAttribute(null=True)  # = audit_write_id when stamped to delete
    audit_lane = UnicodeAttribute(null=True)  # issue 16: "bulk" or "-" (domain/pipeline/lanes)

    gsi1 = GSI1()
    gsi2 = GSI2()


_bound_to: tuple[str, str] | None = None


def bind(settings: Settings | None = None) -> None:
    """Point every model at the configured table (idempotent; cheap after the first call)."""
    global _bound_to
    settings = settings or get_settings()
    target = (settings.table_name, settings.region)
    if _bound_to == target:
        return
    if TableItem.Meta.region != settings.region:
        TableItem._connection = None
    # PynamoDB rebuilds its connection by itself when the table name changes; keeping it
    # otherwise avoids a new botocore session (and its model parsing) per rebinding.
    TableItem.Meta.table_name = settings.table_name
    TableItem.Meta.region = settings.region
    _bound_to = target


def unbind() -> None:
    """Forget the binding: the next use reads the settings again (tests change them)."""
    global _bound_to
    _bound_to = None


def raw_client() -> Any:
    """The low-level botocore client PynamoDB uses (for the few calls it does not wrap).
    Its read responses are decoded by the C JSON decoder (store/fast_parse.py, issue 16)."""
    bind()
    client = TableItem._get_connection().connection.client
    fast_parse.install(client)
    return client
