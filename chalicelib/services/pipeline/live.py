"""Live updates: bus events -> session-checked, coalesced pushes to WebSocket connections.

For a batch of events (one SQS batch of the live queue) the fan-out:
1. asks the routing table (domain/pipeline/live.py) what each event means for whom;
2. resolves each audience to connections in DynamoDB (a user's, a resource's subscribers,
   everyone), once per audience, so any function instance reaches any connection;
3. re-checks every target's sign-in in ONE batch read (issue 9, finding 6): a socket whose
   token expired or was revoked, whose user was disabled, deleted or changed roles, gets a
   `session_ended` message and is closed instead of pushed to;
4. coalesces what each connection reads into as few messages as possible (a bulk booking
   of 100 is 2 messages per subscriber, not 100) and posts them; a gone or broken socket
   is skipped and never stops the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.pipeline import live
from chalicelib.domain.pipeline.connections import (
    SessionFacts,
    WsConnection,
    WsSession,
    session_problem,
)
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.observability import logger


class LiveConnections(Protocol):
    """The connection store (store/pipeline/connections.py)."""

    def of_user(self, user_id: str, now: datetime) -> list[WsConnection]: ...

    def of_token(self, token_id: str, now: datetime) -> list[WsConnection]: ...

    def many(self, connection_ids: Iterable[str], now: datetime) -> list[WsConnection]: ...

    def everyone(self, now: datetime) -> list[WsConnection]: ...

    def resource_listeners(self, resource_id: str, now: datetime) -> list[str]: ...


class AccountFactsPort(Protocol):
    """Accounts and the token deny-list, read in one batch (store/pipeline/ws_sessions.py)."""

    def load(
        self,
        user_ids: Iterable[str],
        token_ids: Iterable[str],
        now: datetime,
        sign_ins: Iterable[tuple[str, str]] = (),
    ) -> SessionFacts: ...


class Transport(Protocol):
    """Posts and closes through `@connections` (integrations/websocket_sender.py)."""

    def send(self, connection_id: str, message: Mapping[str, Any]) -> bool: ...

    def end(self, connection_id: str, farewell: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class Verdicts:
    valid: dict[str, WsSession]
    ended: dict[str, str]  # connection id -> reason


class SessionGuard:
    """The access-token check, for sockets: before a message is handled, before a push."""

    def __init__(self, facts: AccountFactsPort, transport: Transport, clock: Clock) -> None:
        self._facts = facts
        self._transport = transport
        self._clock = clock

    def check(self, connections: Iterable[WsConnection]) -> Verdicts:
        """Sort connections into those whose sign-in holds and those it no longer does; the
        latter are told why and closed."""
        now = self._clock.now()
        targets = {c.connection_id: c for c in connections}
        sessions = [c.session for c in targets.values() if c.session is not None]
        facts = self._facts.load(
            (s.user_id for s in sessions),
            (s.token_id for s in sessions),
            now,
            [(s.user_id, s.session_id) for s in sessions if s.session_id],
        )
        valid: dict[str, WsSession] = {}
        ended: dict[str, str] = {}
        for connection_id, connection in targets.items():
            session = connection.session
            account = facts.accounts.get(session.user_id) if session else None
            denied = session is not None and session.token_id in facts.denied
            sign_in_ended = session is not None and session.session_id in facts.ended_sessions
            problem = session_problem(
                session, account, denied=denied, now=now, sign_in_ended=sign_in_ended
            )
            if problem is None and session is not None:
                valid[connection_id] = session
            else:
                ended[connection_id] = problem or "not_signed_in"
        for connection_id, reason in ended.items():
            logger.info("live session ended", extra={"id": connection_id, "reason": reason})
            self._transport.end(connection_id, live.session_ended(reason))
        return Verdicts(valid, ended)


@dataclass
class FanoutReport:
    messages: int = 0  # posts that reached a socket
    connections: int = 0  # sockets that were sent something
    ended: int = 0  # sockets closed because their sign-in no longer holds


class LiveFanout:
    def __init__(
        self,
        connections: LiveConnections,
        guard: SessionGuard,
        transport: Transport,
        clock: Clock,
        *,
        max_entries: int = live.MAX_ENTRIES_PER_MESSAGE,
        pool: Executor | None = None,
        approvers: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self._connections = connections
        self._guard = guard
        self._transport = transport
        self._clock = clock
        self._max_entries = max_entries
        # Posts to different sockets overlap (each is an HTTPS round trip on AWS: 50 in a
        # row would eat the latency budget); None posts one after another.
        self._pool = pool
        # (resource id, step) -> the user ids who decide it (issue 10: approvers' queues);
        # None: nobody is an approver (the audience resolves to no connection).
        self._approvers = approvers

    def deliver(self, events: Sequence[DomainEvent]) -> FanoutReport:
        steps = [step for event in events for step in live.steps_for(event)]
        pushes = [s for s in steps if isinstance(s, live.Push)]
        rechecks = [s for s in steps if isinstance(s, live.Recheck)]
        audiences = self._resolve({p.audience for p in pushes})
        checked = [c for r in rechecks for c in self._rechecked(r)]
        everyone = {c.connection_id: c for cs in audiences.values() for c in cs}
        verdicts = self._guard.check([*everyone.values(), *checked])
        inbox: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for push in pushes:  # in event order: each socket reads events as they happened
            for connection in audiences[push.audience]:
                session = verdicts.valid.get(connection.connection_id)
                if session is not None:
                    inbox[connection.connection_id].append(
                        push.entry_for(session.user_id, session.is_admin)
                    )
        jobs = list(inbox.items())
        if self._pool is not None and len(jobs) > 1:
            posted = list(self._pool.map(lambda job: self._post(*job), jobs))
        else:
            posted = [self._post(connection_id, entries) for connection_id, entries in jobs]
        return FanoutReport(messages=sum(posted), connections=len(jobs), ended=len(verdicts.ended))

    def push(self, user_id: str, messages: Sequence[dict[str, Any]]) -> None:
        """The notification service's `Pusher`: every signed-in socket of the user, checked."""
        if not messages:
            return
        verdicts = self._guard.check(self._connections.of_user(user_id, self._clock.now()))
        for connection_id in verdicts.valid:
            for message in messages:
                self._transport.send(connection_id, message)

    # -- internals ---------------------------------------------------------------------------

    def _resolve(self, audiences: set[live.Audience]) -> dict[live.Audience, list[WsConnection]]:
        now = self._clock.now()
        resolved: dict[live.Audience, list[WsConnection]] = {}
        for audience in audiences:
            if audience.kind == "user":
                resolved[audience] = self._connections.of_user(audience.key, now)
            elif audience.kind == "resource":
                listeners = self._connections.resource_listeners(audience.key, now)
                resolved[audience] = self._connections.many(listeners, now)
            elif audience.kind == "approvers":
                resolved[audience] = self._approver_connections(audience.key, now)
            else:
                resolved[audience] = self._connections.everyone(now)
        return resolved

    def _approver_connections(self, key: str, now: datetime) -> list[WsConnection]:
        if self._approvers is None:
            return []
        resource_id, step = live.approvers_key(key)
        users = self._approvers(resource_id, step)
        return [c for user_id in users for c in self._connections.of_user(user_id, now)]

    def _rechecked(self, recheck: live.Recheck) -> list[WsConnection]:
        now = self._clock.now()
        if recheck.token_id:
            return self._connections.of_token(recheck.token_id, now)
        return self._connections.of_user(recheck.user_id, now)

    def _post(self, connection_id: str, entries: list[dict[str, Any]]) -> int:
        sent = 0
        for start in range(0, len(entries), self._max_entries):
            chunk = entries[start : start + self._max_entries]
            if not self._transport.send(connection_id, live.message(chunk)):
                break  # gone (and forgotten) or broken: the rest would fail alike
            sent += 1
        return sent
