"""Stamp mutated items with who wrote them, so the audit log can be derived from the stream.

The request layer (or a job) binds an `AuditContext` (domain/acting.py); store writes call
one of the helpers below to add `audit_actor`, `audit_channel`, `audit_ip`,
`audit_correlation_id` and a fresh `audit_write_id` to the item they write. The stream's
new image then says who made the change; `audit_write_id` lets the audit mapping tell a
stamped write from an unstamped one (an unchanged write id means the writer did not stamp,
so the actor is "unknown", not the previous writer).

Deletes cannot carry attributes: call `stamp_actions()` in an update right before deleting
(see `stamp_then_delete`), so the stream's old image names the deleter and, through
`audit_delete_id`, dates the delete.

The write id's time part is the app's clock (`use_clock`, pinned by the composition root
together with every other clock consumer), so an audit entry is dated in the same time the
service that made the change used.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.expressions.update import Action
from ulid import ULID

from chalicelib.domain.acting import current
from chalicelib.domain.clock import Clock, SystemClock
from chalicelib.store.table import TableItem

_clock: list[Clock] = [SystemClock()]
DELETE_MARK = "audit_delete_id"


def use_clock(clock: Clock) -> None:
    """The clock that dates writes (called by the composition root only)."""
    _clock[:] = [clock]


def stamp_values() -> dict[str, str]:
    ctx = current()
    # A ULID: unique per write, and its time part (ms) dates the change more precisely than
    # the stream's ApproximateCreationDateTime (whole minutes on DynamoDB Local).
    write_id = str(ULID.from_datetime(_clock[0].now()))
    # Every attribute is always written (an update must not leave a previous writer's ip or
    # correlation id behind); "-" stands for "not known".
    return {
        "audit_actor": ctx.actor_id or "-",
        "audit_channel": ctx.channel or "-",
        "audit_ip": ctx.client_ip or "-",
        "audit_correlation_id": ctx.correlation_id or write_id,
        "audit_write_id": write_id,
        # Issue 16: the event lane (domain/pipeline/lanes.py); "-" overwrites an earlier
        # bulk write's mark when an interactive request changes the item.
        "audit_lane": ctx.lane or "-",
    }


ItemT = TypeVar("ItemT", bound=TableItem)


def stamp(item: ItemT, *, for_delete: bool = False) -> ItemT:
    """Set the stamp on a model before `save()` (or before adding it to a transaction);
    `for_delete` when this write is the tombstone the item's delete follows."""
    values = stamp_values()
    for name, value in values.items():
        setattr(item, name, value)
    item.audit_delete_id = values["audit_write_id"] if for_delete else None
    return item


def stamp_actions() -> list[Action]:
    """Update actions that stamp an item (add them to any `update(actions=...)`)."""
    return [getattr(TableItem, name).set(value) for name, value in stamp_values().items()]


def stamp_raw() -> dict[str, dict[str, str]]:
    """The stamp as DynamoDB JSON attributes, for low-level `Put` items."""
    return {name: {"S": value} for name, value in stamp_values().items()}


def stamp_raw_update(prefix: str = "aud") -> tuple[str, dict[str, str], dict[str, Any]]:
    """A `SET` fragment plus names and values for low-level `Update` items.

    Usage: `expr = f"SET #v = :v, {fragment}"` and merge the names/values dicts.
    """
    values = stamp_values()
    names = {f"#{prefix}{i}": name for i, name in enumerate(values)}
    attr_values = {f":{prefix}{i}": {"S": value} for i, value in enumerate(values.values())}
    fragment = ", ".join(f"#{prefix}{i} = :{prefix}{i}" for i in range(len(values)))
    return fragment, names, attr_values


def delete_stamp_actions() -> list[Action]:
    """Stamp actions for an update that precedes a delete: `DELETE_MARK` repeats the write id,
    so the REMOVE record's old image shows the stamp was made for the delete (and dates it)."""
    values = stamp_values()
    actions = [getattr(TableItem, name).set(value) for name, value in values.items()]
    return [*actions, TableItem.audit_delete_id.set(values["audit_write_id"])]


def stamp_then_delete(item: TableItem, condition: Any = None) -> None:
    """Stamp, then delete: the REMOVE record's old image then names who deleted the item."""
    cond = type(item).PK.exists()
    item.update(actions=delete_stamp_actions(), condition=cond)
    item.delete(condition=condition)
