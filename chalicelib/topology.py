"""The one description of the AWS resources the app runs on.

Both the local stack (`infra/local/bootstrap.py`) and the CDK stack (`infra/`) are built from
these definitions, and `app.py` takes its queue names and schedules from here, so the three
cannot drift (tests/unit/test_topology.py checks it). Pure data: no I/O, no environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexDef:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableDef:
    logical_name: str
    default_name: str
    env_var: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[IndexDef, ...] = ()
    ttl_attribute: str | None = None
    stream: bool = False


@dataclass(frozen=True)
class QueueDef:
    name: str
    handler: str
    max_receive_count: int = 5
    visibility_timeout_s: int = 60
    batch_size: int = 10
    dlq_name: str = ""

    def __post_init__(self) -> None:
        if not self.dlq_name:
            object.__setattr__(self, "dlq_name", f"{self.name}-dlq")


@dataclass(frozen=True)
class RuleDef:
    """Route bus events whose detail-type is in `event_names` (empty = all) to a queue."""

    name: str
    queue: str
    event_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleDef:
    name: str
    handler: str
    rate_minutes: int
    description: str


@dataclass(frozen=True)
class Topology:
    tables: tuple[TableDef, ...]
    bus_name: str
    event_source: str
    queues: tuple[QueueDef, ...]
    rules: tuple[RuleDef, ...]
    schedules: tuple[ScheduleDef, ...]
    ses_identities: tuple[str, ...] = field(default=())

    def table(self, logical_name: str) -> TableDef:
        return next(t for t in self.tables if t.logical_name == logical_name)

    def queue(self, name: str) -> QueueDef:
        return next(q for q in self.queues if q.name == name)


MAIN_TABLE = TableDef(
    logical_name="main",
    default_name="reserver-main",
    env_var="TABLE_NAME",
    partition_key="PK",
    sort_key="SK",
    indexes=(
        IndexDef("GSI1", "GSI1PK", "GSI1SK"),
        IndexDef("GSI2", "GSI2PK", "GSI2SK"),
    ),
    ttl_attribute="expires_at",
    stream=True,
)

IDEMPOTENCY_TABLE = TableDef(
    logical_name="idempotency",
    default_name="reserver-idempotency",
    env_var="IDEMPOTENCY_TABLE_NAME",
    partition_key="id",
    ttl_attribute="expiration",
)

TOPOLOGY = Topology(
    tables=(MAIN_TABLE, IDEMPOTENCY_TABLE),
    bus_name="reserver-bus",
    event_source="resource-reserver",
    queues=(),
    rules=(),
    schedules=(),
    ses_identities=("no-reply@reserver.local",),
)
