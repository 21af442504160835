"""A saved search: a user's named set of resource-list filters (owner-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import NotFound


@dataclass(frozen=True)
class SavedSearch:
    search_id: str
    owner_id: str
    name: str
    filters: dict[str, Any]
    created_at: datetime


def search_not_found(search_id: str) -> NotFound:
    return NotFound(
        f"saved search '{search_id}' does not exist",
        code="saved_search_not_found",
        details={"search_id": search_id},
    )
