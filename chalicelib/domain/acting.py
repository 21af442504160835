"""Who is acting: the context a request (or a job, a worker) runs in.

The request layer binds an `AuditContext` for the duration of a request; jobs bind the
system's. The store stamps every write with it (store/audit_stamp.py), so the audit log,
read off the table's stream, knows who made each change. Unbound code (a script, a test)
acts as the system.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace

from chalicelib.domain.principal import Channel, Principal


@dataclass(frozen=True)
class AuditContext:
    actor_id: str
    channel: str
    client_ip: str = ""
    correlation_id: str = ""
    # Issue 16: "bulk" for the writes of a bulk/series/import request, so their events take
    # the bulk lane (domain/pipeline/lanes.py); "" = interactive.
    lane: str = ""


SYSTEM_CONTEXT = AuditContext(actor_id="system", channel=Channel.SYSTEM.value)
_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def from_principal(principal: Principal, *, correlation_id: str = "") -> AuditContext:
    return AuditContext(
        actor_id=principal.subject_id,
        channel=principal.channel.value,
        client_ip=principal.client_ip,
        correlation_id=correlation_id,
    )


def bind(context: AuditContext) -> Token[AuditContext | None]:
    return _current.set(context)


def unbind(token: Token[AuditContext | None]) -> None:
    _current.reset(token)


@contextmanager
def acting_as(context: AuditContext) -> Iterator[AuditContext]:
    """Bind `context` for the writes inside the block (jobs and workers use SYSTEM_CONTEXT)."""
    token = bind(context)
    try:
        yield context
    finally:
        unbind(token)


@contextmanager
def in_lane(lane: str) -> Iterator[AuditContext]:
    """The bound context, its writes marked with `lane` inside the block (issue 16)."""
    with acting_as(replace(current(), lane=lane)) as context:
        yield context


def current() -> AuditContext:
    """The bound context; unbound code (a script, a test) writes as the system."""
    return _current.get() or SYSTEM_CONTEXT
