"""`$default`: one client message -> one reply, sent back through the management API.

A bad message gets an error reply, never a crash: the connection stays usable. Every
message of a signed-in connection first re-checks its sign-in (issue 9, finding 6): once
its token has expired or been revoked, or its user was disabled or changed roles, the
client gets `session_ended` and the socket is closed. A client keeps a socket open past
its token's lifetime by sending `auth` again with a fresh token (same user only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from chalice.app import WebsocketEvent

from chalicelib import wiring
from chalicelib.api.routing import Authenticator
from chalicelib.domain.accounts.tokens import Claims
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import DomainError, Forbidden, NotAuthenticated, NotFound
from chalicelib.domain.pipeline.connections import WsConnection, WsSession
from chalicelib.domain.principal import Channel
from chalicelib.observability import logger
from chalicelib.services.pipeline.live import Verdicts
from chalicelib.wiring.accounts import token_codec
from chalicelib.ws import protocol
from chalicelib.ws.protocol import (
    AuthAction,
    ClientMessage,
    PingAction,
    ProtocolError,
    SubscribeAction,
)


class Connections(Protocol):
    """The WebSocket connections (store/pipeline/connections.py)."""

    def get(self, connection_id: str, now: datetime) -> WsConnection | None: ...

    def attach(self, connection_id: str, session: WsSession, now: datetime) -> WsConnection: ...

    def subscribe(
        self, connection_id: str, user_id: str, resource_id: str, now: datetime
    ) -> None: ...

    def unsubscribe(self, connection_id: str, resource_id: str) -> None: ...


class Sender(Protocol):
    """Replies through the management API (integrations/websocket_sender.py)."""

    def send(self, connection_id: str, message: Mapping[str, Any]) -> bool: ...


class Guard(Protocol):
    """The socket sign-in check (services/pipeline/live.py `SessionGuard`)."""

    def check(self, connections: Iterable[WsConnection]) -> Verdicts: ...


class SessionEnded(Exception):
    """The sign-in no longer holds; the guard already told the client and closed it."""


class WsMessages:
    def __init__(
        self,
        connections: Connections,
        sender: Sender,
        authenticator: Callable[[], Authenticator],
        *,
        claims_of: Callable[[str], Claims],
        guard: Guard,
        clock: Clock,
    ) -> None:
        self._connections = connections
        self._sender = sender
        self._authenticator = authenticator
        self._claims_of = claims_of
        self._guard = guard
        self._clock = clock

    def handle(self, connection_id: str, body: str, client_ip: str) -> None:
        try:
            connection = self._signed_in_or_anonymous(connection_id)
            reply = self._dispatch(connection, protocol.parse(body), client_ip)
        except SessionEnded:
            return  # no reply: the socket is closed
        except (ProtocolError, DomainError) as exc:
            reply = protocol.error(exc.code, exc.message, exc.details)
        except Exception:  # the client gets a reply, the log gets the trace
            logger.exception("websocket message failed")
            reply = protocol.error("internal_error", "the message could not be handled")
        self._sender.send(connection_id, reply)

    def _signed_in_or_anonymous(self, connection_id: str) -> WsConnection:
        """The connection, once its sign-in (if any) is checked again: before anything else,
        even a malformed message, is answered."""
        connection = self._connections.get(connection_id, self._clock.now())
        if connection is None:
            raise NotFound("this connection is closed", code="connection_gone")
        if connection.authenticated and self._guard.check([connection]).ended:
            raise SessionEnded
        return connection

    def _dispatch(
        self, connection: WsConnection, message: ClientMessage, client_ip: str
    ) -> dict[str, Any]:
        connection_id = connection.connection_id
        if isinstance(message, PingAction):
            # The id helps support and tests; API Gateway's own error replies carry it too.
            return {"type": "pong", "connection_id": connection_id}
        if isinstance(message, AuthAction):
            return self._auth(connection_id, message.token, client_ip)
        if connection.user_id is None:
            raise NotAuthenticated('send {"action": "auth", "token": ...} first')
        user_id = connection.user_id
        if isinstance(message, SubscribeAction):
            self._connections.subscribe(
                connection_id, user_id, message.resource_id, self._clock.now()
            )
            return {"type": "subscribed", "resource_id": message.resource_id}
        self._connections.unsubscribe(connection_id, message.resource_id)
        return {"type": "unsubscribed", "resource_id": message.resource_id}

    def _auth(self, connection_id: str, token: str, client_ip: str) -> dict[str, Any]:
        principal = self._authenticator().authenticate(
            token, client_ip=client_ip, channel=Channel.WEB
        )
        if principal.is_client:
            raise Forbidden("sign in as a user to use live updates", code="user_token_required")
        claims = self._claims_of(token)
        session = WsSession(
            user_id=principal.subject_id,
            token_id=principal.token_id,
            token_expires_at=claims.expires_at,
            token_version=claims.token_version,
            roles=tuple(sorted(role.value for role in principal.roles)),
            session_id=principal.session_id,
        )
        self._connections.attach(connection_id, session, self._clock.now())
        return {
            "type": "authenticated",
            "user_id": principal.subject_id,
            "expires_at": claims.expires_at,
        }


def handle(event: WebsocketEvent) -> None:
    clock = wiring.clock()
    messages = WsMessages(
        wiring.connections(),
        wiring.websocket_sender(),
        wiring.authenticator,
        claims_of=lambda token: token_codec().decode(token, clock.now()),
        guard=wiring.session_guard(),
        clock=clock,
    )
    messages.handle(event.connection_id, event.body, protocol.source_ip(event))
