"""Composite resources (issue 14): request and response bodies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict


class Links(Protocol):
    """A resource's composite links (the store's `occupied_by.Links`; routes never import
    the store: tests/unit/test_import_graph.py)."""

    @property
    def resource_id(self) -> str: ...

    @property
    def parts(self) -> Sequence[str]: ...

    @property
    def part_of(self) -> Sequence[str]: ...


class PartsIn(Strict):
    # The whole new list (empty: no longer a composite); the service enforces MAX_PARTS.
    parts: list[str] = Field(max_length=50)


class PartsOut(BaseModel):
    resource_id: str
    parts: list[str]
    part_of: list[str]

    @classmethod
    def of(cls, links: Links) -> PartsOut:
        return cls(
            resource_id=links.resource_id, parts=list(links.parts), part_of=list(links.part_of)
        )
