"""Models shared by every API family."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from chalicelib.domain.timeutil import iso_z


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must include a UTC offset such as Z or +02:00")
    return value


# Input: ISO 8601 with an offset (naive is refused). Output: ISO 8601 UTC with a Z.
UtcDatetime = Annotated[
    datetime,
    AfterValidator(_require_offset),
    PlainSerializer(iso_z, return_type=str, when_used="json"),
]


# The models below are defined on the API handler's cold start (issue 15): each builds its
# validator when first used, not at import. Request models inherit it from `Strict`.
DEFERRED = ConfigDict(defer_build=True)


class Strict(BaseModel):
    """Request models refuse unknown fields, so a typo is an error and not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class ErrorDetail(BaseModel):
    model_config = DEFERRED

    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    model_config = DEFERRED

    error: ErrorDetail


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    model_config = DEFERRED

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; absent on the last page."
    )


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class Message(BaseModel):
    model_config = DEFERRED

    message: str
