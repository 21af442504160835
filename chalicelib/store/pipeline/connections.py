"""WebSocket connections and their resource subscriptions.

| item            | PK        | SK             | GSI1 (signed in)        | GSI2                    |
|-----------------|-----------|----------------|-------------------------|-------------------------|
| ws_connection   | CONN#<id> | CONN#<id>      | USER#<user> / CONN#<id> | WSCONN / <expiry>#<id>  |
| ws_subscription | CONN#<id> | SUB#<resource> |                         | WSRES#<res> / CONN#<id> |

Pushes find a user's connections on GSI1 and a resource's listeners on GSI2; the `WSCONN`
partition, sorted by expiry, lets the purge job find records whose $disconnect never ran.
Every item carries `expires_at` (TTL); readers filter on it too (TTL never runs locally).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.pipeline.connections import WsConnection, expiry_for
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


class ConnectionItem(TableItem, discriminator="ws_connection"):  # type: ignore[call-arg]
    connection_id = UnicodeAttribute()
    connected_at = UnicodeAttribute()
    source_ip = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)


class SubscriptionItem(TableItem, discriminator="ws_subscription"):  # type: ignore[call-arg]
    connection_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


def _gone(connection_id: str) -> NotFound:
    return NotFound(f"connection {connection_id} is closed", code="connection_gone")


def _to_domain(item: ConnectionItem) -> WsConnection:
    connected_at = parse_instant(item.connected_at)
    return WsConnection(
        connection_id=item.connection_id,
        connected_at=connected_at,
        expires_at=expiry_for(connected_at),
        source_ip=item.source_ip or "",
        user_id=item.user_id,
    )


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

    def attach_user(self, connection_id: str, user_id: str, now: datetime) -> WsConnection:
        """Mark the connection as `user_id`'s; a connection never changes hands."""
        bind()
        item = _key(connection_id)
        same_or_no_user = ConnectionItem.user_id.does_not_exist() | (
            ConnectionItem.user_id == user_id
        )
        try:
            item.update(
                actions=[
                    ConnectionItem.user_id.set(user_id),
                    ConnectionItem.GSI1PK.set(user_connections_pk(user_id)),
                    ConnectionItem.GSI1SK.set(connection_pk(connection_id)),
                ],
                condition=ConnectionItem.PK.exists()
                & (ConnectionItem.expires_at > epoch_seconds(now))
                & same_or_no_user,
            )
        except UpdateError as exc:
            if self.get(connection_id, now) is None:
                raise _gone(connection_id) from exc
            raise Conflict(
                "this connection is signed in as another user", code="already_authenticated"
            ) from exc
        return _to_domain(item)

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
        bind()
        query = ConnectionItem.gsi1.query(
            user_connections_pk(user_id),
            ConnectionItem.GSI1SK.startswith("CONN#"),
            filter_condition=ConnectionItem.expires_at > epoch_seconds(now),
        )
        return [item.connection_id for item in query if isinstance(item, ConnectionItem)]

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
