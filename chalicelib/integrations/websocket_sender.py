"""The WebSocket transport: post JSON to one connection, or end one, through `@connections`.

A connection that answers 410 GoneException is deleted on the spot (its $disconnect may
never have run). Posts are best effort: another failure is logged and the caller goes on,
so one broken connection never stops delivery to the others, nor makes a worker retry (and
re-push) a whole batch.

This is transport only: it does not decide who may read what. Product pushes go through
`services/pipeline/live.py`, which re-checks each socket's sign-in before posting.
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

    def close(self, connection_id: str) -> None:
        """Close the socket (DELETE); raise `WebsocketDisconnectedError` when already gone."""
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

    def end(self, connection_id: str, farewell: Mapping[str, Any]) -> None:
        """Say why, close the socket and forget it (its $disconnect may come later, or never)."""
        if self.send(connection_id, farewell):
            try:
                self._api.close(connection_id)
            except WebsocketDisconnectedError:
                pass  # it went by itself meanwhile
            except Exception as exc:  # the record goes anyway: nothing is pushed to it
                logger.warning(
                    "websocket close failed",
                    extra={"connection_id": connection_id, "error": type(exc).__name__},
                )
        self._connections.close(connection_id)

    def send_to_user(self, user_id: str, message: Mapping[str, Any]) -> int:
        """Post to every live connection of `user_id`, unchecked (transport tests, tools);
        returns how many received it."""
        targets = self._connections.user_connections(user_id, self._clock.now())
        return sum(self.send(connection_id, message) for connection_id in targets)
