"""WebSocket connections: who is connected, and until when a connection record is trusted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# API Gateway closes every WebSocket after 2 hours; a record older than that (plus a margin)
# belongs to a connection whose $disconnect never ran, and is ignored, then purged.
CONNECTION_LIFETIME = timedelta(hours=2, minutes=5)


@dataclass(frozen=True)
class WsConnection:
    connection_id: str
    connected_at: datetime
    expires_at: datetime
    source_ip: str = ""
    user_id: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at


def expiry_for(connected_at: datetime) -> datetime:
    return connected_at + CONNECTION_LIFETIME
