"""Push JSON messages to WebSocket connections: one, a user's, or a resource's listeners.

A connection that answers 410 GoneException is deleted on the spot (its $disconnect may
never have run). Pushes are best effort: another failure is logged and the fan-out goes on,
so one broken connection never makes a worker retry (and re-push) a whole batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from chalice.app import WebsocketDisconnectedError

from chalicelib.domain.clock import Clock
from chalicelib.observability import logger
from chalicelib.store.pipeline.connections import ConnectionStore


class WebsocketPort(Protocol):
    """What the sender needs of `chalice.app.WebsocketAPI` (a fake implements it in tests)."""

    def send(self, connection_id: str, message: str) -> None:
        """Deliver `message`; raise `WebsocketDisconnectedError` when the connection is gone."""
        ...


class WebsocketSender:
    def __init__(self, api: WebsocketPort, connections: ConnectionStore, clock: Clock) -> None:
        self._api = api
        self._connections = connections
        self._clock = clock

    def send(self, connection_id: str, message: Mapping[str, Any]) -> bool:
        """True when delivered; a gone connection is forgotten and yields False."""
        try:
            self._api.send(connection_id, json.dumps(message, default=str))
        except WebsocketDisconnectedError:
            logger.info("websocket gone; forgetting it", extra={"connection_id": connection_id})
            self._connections.close(connection_id)
            return False
        except Exception as exc:  # best effort: see the module docstring
            logger.warning(
                "websocket push failed",
                extra={"connection_id": connection_id, "error": type(exc).__name__},
            )
            return False
        return True

    def send_to_user(self, user_id: str, message: Mapping[str, Any]) -> int:
        """Push to every live connection of `user_id`; returns how many received it."""
        targets = self._connections.user_connections(user_id, self._clock.now())
        return sum(self.send(connection_id, message) for connection_id in targets)

    def send_to_resource(self, resource_id: str, message: Mapping[str, Any]) -> int:
        """Push to every connection subscribed to `resource_id`; returns how many received it."""
        targets = self._connections.resource_listeners(resource_id, self._clock.now())
        return sum(self.send(connection_id, message) for connection_id in set(targets))

    def push(self, user_id: str, message: dict[str, Any]) -> None:
        """The `Pusher` port of the notification service (services/pipeline/notifications.py)."""
        self.send_to_user(user_id, message)
