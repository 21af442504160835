"""WebSocket connections and their resource subscriptions.

| item            | PK        | SK             | GSI1 (signed in)        | GSI2                    |
|-----------------|-----------|----------------|-------------------------|-------------------------|
| ws_connection   | CONN#<id> | CONN#<id>      | USER#<user> / CONN#<id> | WSCONN / <expiry>#<id>  |
| ws_subscription | CONN#<id> | SUB#<resource> |                         | WSRES#<res> / CONN#<id> |
| ws_token        | CONN#<id> | TOKEN          | WSJTI#<jti> / CONN#<id> |                         |

Pushes find a user's connections on GSI1 and a resource's listeners on GSI2; the `WSCONN`
partition, sorted by expiry, lets the purge job find records whose $disconnect never ran
(and a global push find every connection). A signed-in connection keeps its sign-in
(`WsSession`: token id, expiry, version, roles) on its own item, re-checked before every
message and push; the `ws_token` pointer finds the sockets of a logged-out token. All of a
connection's items share its partition, so `close` removes them together. Every item
carries `expires_at` (TTL); readers filter on it too (TTL never runs locally).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.domain.errors import Conflict, DomainError, NotFound
from chalicelib.domain.pipeline.connections import WsConnection, WsSession, expiry_for
from chalicelib.domain.timeutil import epoch_seconds, iso_z, parse_instant
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

CONNECTIONS_INDEX_PK = "WSCONN"
_SUB_PREFIX = "SUB#"


def connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def user_connections_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def resource_listeners_pk(resource_id: str) -> str:
    return f"WSRES#{resource_id}"


def subscription_sk(resource_id: str) -> str:
    return f"{_SUB_PREFIX}{resource_id}"


def token_connections_pk(token_id: str) -> str:
    return f"WSJTI#{token_id}"


TOKEN_SK = "TOKEN"


class ConnectionItem(TableItem, discriminator="ws_connection"):  # type: ignore[call-arg]
    connection_id = UnicodeAttribute()
    connected_at = UnicodeAttribute()
    source_ip = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    # The sign-in (domain WsSession), set by `attach`.
    token_id = UnicodeAttribute(null=True)
    token_expires_at = NumberAttribute(null=True)
    token_version = NumberAttribute(null=True)
    roles = UnicodeSetAttribute(null=True)
    session_id = UnicodeAttribute(null=True)


class SubscriptionItem(TableItem, discriminator="ws_subscription"):  # type: ignore[call-arg]
    connection_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class TokenPointerItem(TableItem, discriminator="ws_token"):  # type: ignore[call-arg]
    connection_id = UnicodeAttribute()
    token_id = UnicodeAttribute()


def _gone(connection_id: str) -> NotFound:
    return NotFound(f"connection {connection_id} is closed", code="connection_gone")


def _session_of(item: ConnectionItem) -> WsSession | None:
    if item.user_id is None or item.token_id is None:
        return None  # anonymous (or signed in before sessions were kept: checked as expired)
    return WsSession(
        user_id=item.user_id,
        token_id=item.token_id,
        token_expires_at=int(item.token_expires_at or 0),
        token_version=int(item.token_version or 0),
        roles=tuple(sorted(item.roles or ())),
        session_id=item.session_id or "",
    )


def _to_domain(item: ConnectionItem) -> WsConnection:
    connected_at = parse_instant(item.connected_at)
    return WsConnection(
        connection_id=item.connection_id,
        connected_at=connected_at,
        expires_at=expiry_for(connected_at),
        source_ip=item.source_ip or "",
        user_id=item.user_id,
        session=_session_of(item),
    )


def _live_connections(items: Iterable[TableItem], now: datetime) -> list[WsConnection]:
    found = (_to_domain(i) for i in items if isinstance(i, ConnectionItem))
    return [c for c in found if c.is_live(now)]


def _key(connection_id: str) -> ConnectionItem:
    pk = connection_pk(connection_id)
    return ConnectionItem(pk, pk)


class ConnectionStore:
    def open(self, connection_id: str, source_ip: str, now: datetime) -> WsConnection:
        bind()
        pk = connection_pk(connection_id)
        expires = expiry_for(now)
        item = ConnectionItem(
            PK=pk,
            SK=pk,
            GSI2PK=CONNECTIONS_INDEX_PK,
            GSI2SK=f"{iso_z(expires)}#{connection_id}",
            connection_id=connection_id,
            connected_at=iso_z(now),
            source_ip=source_ip or None,
            expires_at=epoch_seconds(expires),
        )
        try:
            item.save(condition=ConnectionItem.PK.does_not_exist())
        except PutError as exc:
            raise Conflict("this connection id is already open", code="connection_exists") from exc
        return _to_domain(item)

    def get(self, connection_id: str, now: datetime) -> WsConnection | None:
        bind()
        pk = connection_pk(connection_id)
        try:
            item = ConnectionItem.get(pk, pk, consistent_read=True)
        except DoesNotExist:
            return None
        connection = _to_domain(item)
        return connection if connection.is_live(now) else None

    def attach(self, connection_id: str, session: WsSession, now: datetime) -> WsConnection:
        """Sign the connection in as `session.user_id`; a connection never changes hands, but
        its user may sign in again with a fresh token (before the first one expires)."""
        pk = connection_pk(connection_id)
        item = _key(connection_id)
        same_or_no_user = ConnectionItem.user_id.does_not_exist() | (
            ConnectionItem.user_id == session.user_id
        )
        tx = Tx()
        tx.update(
            item,
            [
                ConnectionItem.user_id.set(session.user_id),
                ConnectionItem.GSI1PK.set(user_connections_pk(session.user_id)),
                ConnectionItem.GSI1SK.set(pk),
                ConnectionItem.token_id.set(session.token_id),
                ConnectionItem.token_expires_at.set(session.token_expires_at),
                ConnectionItem.token_version.set(session.token_version),
                ConnectionItem.roles.set(set(session.roles) or {"guest"}),
                ConnectionItem.session_id.set(session.session_id),
            ],
            ConnectionItem.PK.exists()
            & (ConnectionItem.expires_at > epoch_seconds(now))
            & same_or_no_user,
            "connection",
        )
        tx.put(
            TokenPointerItem(
                PK=pk,
                SK=TOKEN_SK,
                GSI1PK=token_connections_pk(session.token_id),
                GSI1SK=pk,
                connection_id=connection_id,
                token_id=session.token_id,
                expires_at=epoch_seconds(expiry_for(now)),
            ),
            None,
            "token",
        )
        tx.on_fail("connection", lambda: self._attach_refused(connection_id, now))
        tx.commit()
        connection = self.get(connection_id, now)
        if connection is None:
            raise _gone(connection_id)
        return connection

    def _attach_refused(self, connection_id: str, now: datetime) -> DomainError:
        if self.get(connection_id, now) is None:
            return _gone(connection_id)
        return Conflict(
            "this connection is signed in as another user", code="already_authenticated"
        )

    def subscribe(self, connection_id: str, user_id: str, resource_id: str, now: datetime) -> None:
        """Record interest in a resource, only while the connection is this user's and live."""
        expires = expiry_for(now)
        pk = connection_pk(connection_id)
        tx = Tx()
        tx.check(
            ConnectionItem,
            pk,
            pk,
            (ConnectionItem.user_id == user_id) & (ConnectionItem.expires_at > epoch_seconds(now)),
            "connection",
        )
        tx.put(
            SubscriptionItem(
                PK=pk,
                SK=subscription_sk(resource_id),
                GSI2PK=resource_listeners_pk(resource_id),
                GSI2SK=pk,
                connection_id=connection_id,
                resource_id=resource_id,
                user_id=user_id,
                expires_at=epoch_seconds(expires),
            ),
            None,
            "subscription",
        )
        tx.on_fail("connection", lambda: _gone(connection_id))
        tx.commit()

    def unsubscribe(self, connection_id: str, resource_id: str) -> None:
        bind()
        SubscriptionItem(connection_pk(connection_id), subscription_sk(resource_id)).delete()

    def close(self, connection_id: str) -> int:
        """Delete the connection and its subscriptions; returns how many items went."""
        bind()
        items = list(TableItem.query(connection_pk(connection_id), consistent_read=True))
        with TableItem.batch_write() as batch:
            for item in items:
                batch.delete(item)
        return len(items)

    def user_connections(self, user_id: str, now: datetime) -> list[str]:
        return [c.connection_id for c in self.of_user(user_id, now)]

    def of_user(self, user_id: str, now: datetime) -> list[WsConnection]:
        """The user's live connections, with their sign-ins (GSI1 projects every attribute)."""
        bind()
        query = ConnectionItem.gsi1.query(
            user_connections_pk(user_id),
            ConnectionItem.GSI1SK.startswith("CONN#"),
            filter_condition=ConnectionItem.expires_at > epoch_seconds(now),
        )
        return _live_connections(query, now)

    def of_token(self, token_id: str, now: datetime) -> list[WsConnection]:
        """The live connections signed in with this access token."""
        bind()
        query = TokenPointerItem.gsi1.query(
            token_connections_pk(token_id),
            filter_condition=TokenPointerItem.expires_at > epoch_seconds(now),
        )
        ids = [item.connection_id for item in query if isinstance(item, TokenPointerItem)]
        return self.many(ids, now)

    def many(self, connection_ids: Iterable[str], now: datetime) -> list[WsConnection]:
        """The live ones among these connections (consistent BatchGetItem, 100 keys a call)."""
        bind()
        keys = [(connection_pk(c), connection_pk(c)) for c in dict.fromkeys(connection_ids)]
        if not keys:
            return []
        return _live_connections(TableItem.batch_get(keys, consistent_read=True), now)

    def everyone(self, now: datetime) -> list[WsConnection]:
        """Every live signed-in connection (the `WSCONN` partition, from `now` on)."""
        bind()
        query = ConnectionItem.gsi2.query(CONNECTIONS_INDEX_PK, iso_z(now) < ConnectionItem.GSI2SK)
        return [c for c in _live_connections(query, now) if c.authenticated]

    def resource_listeners(self, resource_id: str, now: datetime) -> list[str]:
        bind()
        query = SubscriptionItem.gsi2.query(
            resource_listeners_pk(resource_id),
            filter_condition=SubscriptionItem.expires_at > epoch_seconds(now),
        )
        return [item.connection_id for item in query if isinstance(item, SubscriptionItem)]

    def purge_expired(self, now: datetime, *, limit: int = 200) -> int:
        """Close up to `limit` connections past their lifetime; returns how many were closed."""
        bind()
        query = ConnectionItem.gsi2.query(
            CONNECTIONS_INDEX_PK, iso_z(now) > ConnectionItem.GSI2SK, limit=limit
        )
        expired = [item.connection_id for item in query if isinstance(item, ConnectionItem)]
        for connection_id in expired:
            self.close(connection_id)
        return len(expired)
