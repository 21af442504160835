"""An OAuth2 client (client-credentials grant): who it is, what it may do, whose it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    name: str
    scopes: frozenset[str]
    secret_hash: str
    owner_id: str
    created_at: datetime
