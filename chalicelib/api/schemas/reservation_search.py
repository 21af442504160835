"""Reservation search (issue 14): the query model."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.reservations import (
    QueryDatetime,
    ResourceId,
    StatusFilter,
    statuses,
)
from chalicelib.services.reservations.search import SearchSpec


class ReservationSearchQuery(PageQuery):
    """Admins search everyone's reservations, users their own (`user_id` naming someone
    else is 403). Default: every status, from 30 days ago for one year (at most 366 days).
    `group_id` covers the group's whole subtree (at most 100 resources)."""

    status: list[StatusFilter] = Field(default_factory=list)
    from_: QueryDatetime | None = Field(default=None, alias="from")
    to: QueryDatetime | None = None
    resource_id: ResourceId | None = None
    user_id: str | None = Field(default=None, min_length=1, max_length=64)
    group_id: str | None = Field(default=None, min_length=1, max_length=64)

    def to_spec(self) -> SearchSpec:
        return SearchSpec(
            statuses=statuses(self.status),
            start_from=self.from_,
            until=self.to,
            resource_id=self.resource_id,
            user_id=self.user_id,
            group_id=self.group_id,
            limit=self.limit,
            cursor=self.cursor,
        )
